#!/usr/bin/python3
# photos.py: a GTK 4 photo browser in Python, on Wk
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# What it shows:
#
# - the model's items are Wk.Object subclasses with GObject properties,
#   in a Gio.ListStore shown by a Gtk.ListView;
# - the thumbnails (one Gdk.Texture per photo, drawn on first use) live
#   in a Wk.WeakValueDictionary keyed by the photo's name: every row and
#   detail window that shows a photo shares one texture, and the texture
#   is freed as soon as nothing shows it;
# - rows and detail windows follow their photo's "likes" through
#   Wk.connect_weak(), so a closed window or a recycled row leaves no
#   handler behind and nothing keeps it alive; a window's own button is
#   connected the same way, so that no closure makes a cycle through C
#   (window -> button -> closure -> window), which neither Python's
#   collector nor Wk's can see;
# - Wk.gc.census() says what is alive, by type.
#
#   photos.py                 the window
#   photos.py --self-test     drives it, checks the cache and the handlers,
#                             exits 0 on success (CI runs it under Xvfb)
#
# GTK's GL renderer keeps textures of 128 px or less alive in its icon
# atlas, so a cache of small thumbnails would not empty under GL; these
# thumbnails are larger than that, and --self-test uses the cairo renderer
# (GSK_RENDERER=cairo) so that what it checks is Wk's doing alone.

import gc
import math
import os
import sys

if '--self-test' in sys.argv:
    os.environ.setdefault('GSK_RENDERER', 'cairo')

import gi  # noqa: E402

gi.require_version('Gdk', '4.0')
gi.require_version('Gtk', '4.0')
gi.require_version('Wk', '1.0')

from gi.repository import Gdk, Gio, GLib, GObject, Gtk, Wk  # noqa: E402

THUMB = 160          # px: above GTK's 128 px atlas limit
NAMES = ['dawn', 'harbour', 'meadow', 'glacier', 'dune', 'orchard',
         'canyon', 'lagoon', 'aurora', 'forest', 'reef', 'tundra']


class Photo(Wk.Object):
    """A model item: a Wk.Object, so that the cycle collector tracks it."""

    __gtype_name__ = 'PhotosPhoto'

    name = GObject.Property(type=str, default='')
    hue = GObject.Property(type=float, default=0.0)
    likes = GObject.Property(type=int, default=0)

    def like(self):
        self.likes += 1


class ThumbnailCache:
    """Shared thumbnails: a texture lives while a widget shows it."""

    def __init__(self):
        self.textures = Wk.WeakValueDictionary()
        self.drawn = 0

    def get(self, photo):
        texture = self.textures.get(photo.props.name)
        if texture is None:
            texture = draw_thumbnail(photo.props.hue)
            self.textures[photo.props.name] = texture
            self.drawn += 1
        return texture


def draw_thumbnail(hue):
    """A THUMB x THUMB RGBA texture: rings in the photo's hue."""
    r, g, b = (0.5 + 0.5 * math.cos(2 * math.pi * (hue + k / 3)) for k in range(3))
    pixels = bytearray(THUMB * THUMB * 4)
    for y in range(THUMB):
        for x in range(THUMB):
            d = math.hypot(x - THUMB / 2, y - THUMB / 2)
            shade = 0.6 + 0.4 * math.cos(d / 6)
            i = (y * THUMB + x) * 4
            pixels[i:i + 4] = bytes((int(255 * r * shade), int(255 * g * shade),
                                     int(255 * b * shade), 255))
    return Gdk.MemoryTexture.new(THUMB, THUMB, Gdk.MemoryFormat.R8G8B8A8,
                                 GLib.Bytes.new(bytes(pixels)), THUMB * 4)


class PhotoRow(Gtk.Box):
    """A list row: a thumbnail, the name and the likes. Rows are recycled
    by the list view: bind() follows a new photo, weakly."""

    __gtype_name__ = 'PhotosPhotoRow'

    def __init__(self, cache):
        super().__init__(orientation=Gtk.Orientation.HORIZONTAL, spacing=12)
        self.cache = cache
        self.picture = Gtk.Picture(can_shrink=True)
        self.picture.set_size_request(48, 48)
        self.label = Gtk.Label(xalign=0, hexpand=True)
        self.likes = Gtk.Label()
        for child in (self.picture, self.label, self.likes):
            self.append(child)
        self.photo = None
        self.handler = 0

    def bind(self, photo):
        self.photo = Wk.ref(photo)
        self.picture.set_paintable(self.cache.get(photo))
        self.label.set_label(photo.props.name)
        # The photo does not keep the row alive, nor the row the photo.
        self.handler = Wk.connect_weak(photo, 'notify::likes', self.on_likes)
        self.on_likes(photo, None)

    def unbind(self):
        photo = self.photo() if self.photo is not None else None
        if photo is not None and self.handler:
            photo.disconnect(self.handler)
        self.photo = None
        self.handler = 0
        self.picture.set_paintable(None)

    def on_likes(self, photo, pspec):
        self.likes.set_label('\u2665 %d' % photo.props.likes)


class DetailWindow(Gtk.Window):
    """One photo, large. Closing it drops the texture if nothing else
    shows it, and its handler with it."""

    __gtype_name__ = 'PhotosDetailWindow'

    def __init__(self, app, photo, cache):
        super().__init__(application=app, title=photo.props.name,
                         default_width=320, default_height=320)
        box = Gtk.Box(orientation=Gtk.Orientation.VERTICAL, spacing=6)
        self.picture = Gtk.Picture(paintable=cache.get(photo), vexpand=True)
        self.likes = Gtk.Label()
        button = Gtk.Button(label='Like')
        # Not button.connect (…, self.like): the button's closure would
        # hold the window's wrapper, which holds the window, which holds
        # the button: a cycle through C that neither collector sees.
        Wk.connect_weak(button, 'clicked', self.on_like_clicked)
        for child in (self.picture, self.likes, button):
            box.append(child)
        self.set_child(box)
        self.photo = Wk.ref(photo)
        self.handler = Wk.connect_weak(photo, 'notify::likes', self.on_likes)
        self.on_likes(photo, None)

    def like(self):
        photo = self.photo()
        if photo is not None:
            photo.like()

    def on_like_clicked(self, button):
        self.like()

    def on_likes(self, photo, pspec):
        self.likes.set_label('\u2665 %d' % photo.props.likes)


class PhotosApp(Gtk.Application):
    def __init__(self, self_test):
        super().__init__(application_id='org.wk.Photos',
                         flags=Gio.ApplicationFlags.NON_UNIQUE)
        self.self_test = self_test
        self.cache = ThumbnailCache()
        self.store = Gio.ListStore(item_type=Photo)
        for i, name in enumerate(NAMES):
            self.store.append(Photo(name=name, hue=i / len(NAMES)))
        self.failures = []

    def do_activate(self):
        factory = Gtk.SignalListItemFactory()
        factory.connect('setup', lambda _f, item: item.set_child(PhotoRow(self.cache)))
        factory.connect('bind', lambda _f, item: item.get_child().bind(item.get_item()))
        factory.connect('unbind', lambda _f, item: item.get_child().unbind())
        self.selection = Gtk.SingleSelection(model=self.store)
        view = Gtk.ListView(model=self.selection, factory=factory)
        view.connect('activate', lambda _v, position: self.open_detail(position))
        scrolled = Gtk.ScrolledWindow(child=view, vexpand=True)
        self.window = Gtk.ApplicationWindow(application=self, title='Wk photos',
                                            default_width=360, default_height=520,
                                            child=scrolled)
        self.window.present()
        if self.self_test:
            GLib.timeout_add(200, self.run_self_test().__next__)

    def open_detail(self, position):
        window = DetailWindow(self, self.store.get_item(position), self.cache)
        window.present()
        return window

    # ---- the self-test -----------------------------------------------

    def check(self, what, ok):
        print('%s: %s' % ('ok' if ok else 'FAILED', what))
        if not ok:
            self.failures.append(what)

    def settle(self):
        """Lets GTK draw and drop what it no longer shows."""
        context = GLib.MainContext.default()
        for _ in range(20):
            while context.pending():
                context.iteration(False)
        # Python's collector for the Python side (a closure that points
        # back at its window), Wk's for the Wk.Objects.
        gc.collect()
        Wk.gc.collect()

    def run_self_test(self):
        # Each yield hands the main loop a turn (this is a timeout handler).
        yield True
        self.settle()
        shown = len(self.cache.textures)
        self.check('the visible rows share %d thumbnails, drawn once each' % shown,
                   0 < shown <= len(NAMES) and self.cache.drawn == shown)

        # A detail window shares its row's texture; liking the photo
        # updates the window and the row through their weak handlers.
        detail = self.open_detail(0)
        yield True
        self.settle()
        self.check('a detail window shares the row\'s texture',
                   self.cache.drawn == shown)
        photo = self.store.get_item(0)
        detail.like()
        self.settle()
        self.check('the detail window followed the like', detail.likes.get_label() == '\u2665 1')
        self.check('the photo counts the like', photo.props.likes == 1)

        # Closing the window drops its handler: nothing keeps it alive,
        # and the photo's notify has no handler of its left.
        window_ref = Wk.ref(detail)
        handler = detail.handler
        detail.destroy()
        del detail
        self.settle()
        self.check('the closed detail window is gone', window_ref() is None)
        self.check('its handler on the photo went with it',
                   not GObject.signal_handler_is_connected(photo, handler))
        photo.like()
        self.settle()
        self.check('a like after the window closed is counted', photo.props.likes == 2)

        # Removing photos from the model frees their thumbnails once no
        # row shows them.
        self.store.remove_all()
        yield True
        self.settle()
        self.check('an empty model leaves no thumbnail alive (%d left)' % len(self.cache.textures),
                   len(self.cache.textures) == 0)

        census = Wk.gc.census()
        print('census: %s' % ', '.join('%s %d' % kv for kv in list(census.items())[:5]))
        self.check('the census lists photos that are still referenced',
                   census.get('PhotosPhoto', 0) >= 1)
        del photo
        Wk.gc.collect()
        census = Wk.gc.census()
        self.check('no photo left once the last reference is dropped',
                   census.get('PhotosPhoto', 0) == 0)

        self.window.destroy()
        self.quit()
        yield False


def main(argv):
    self_test = '--self-test' in argv
    app = PhotosApp(self_test)
    status = app.run([a for a in argv if a != '--self-test'])
    if self_test:
        if app.failures:
            print('self-test: %d failed' % len(app.failures))
            return 1
        print('self-test: all passed')
    return status


if __name__ == '__main__':
    sys.exit(main(sys.argv))
