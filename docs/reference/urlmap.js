// A map between namespaces and their online documentation, so that the
// generated pages link the GLib and GObject types that Wk's API uses.
baseURLs = [
    [ 'GLib', 'https://docs.gtk.org/glib/' ],
    [ 'GObject', 'https://docs.gtk.org/gobject/' ],
    [ 'Gio', 'https://docs.gtk.org/gio/' ],
]
