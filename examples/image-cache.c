/* image-cache.c: the image cache of the weakref documentation, in C
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Python's weakref documentation motivates weak references with a cache
 * of large objects (decoded images) that must not keep them alive: an
 * image stays cached exactly as long as someone uses it. Here that cache
 * is a WkWeakValueDict from file name to ExampleImage; a WkWeakKeyDict
 * attaches metadata to images the cache does not own, and a WkWeakSet
 * tracks the views that are open.
 */

#include <gio/gio.h>
#include <wk/wk.h>

#define IMAGE_WIDTH  1024
#define IMAGE_HEIGHT 1024
#define IMAGE_BYTES  (IMAGE_WIDTH * IMAGE_HEIGHT * 4)   /* RGBA: 4 MiB */

/* What every image holds in pixels, summed. */
static gsize bytes_alive;
static guint images_alive;

/* ExampleImage: a decoded image, a large buffer and its file name. */

#define EXAMPLE_TYPE_IMAGE (example_image_get_type ())
G_DECLARE_FINAL_TYPE (ExampleImage, example_image, EXAMPLE, IMAGE, WkObject)

struct _ExampleImage
{
  WkObject  parent_instance;
  char     *file_name;
  guint8   *pixels;
  gsize     n_bytes;
};

G_DEFINE_FINAL_TYPE (ExampleImage, example_image, WK_TYPE_OBJECT)

static void
example_image_finalize (GObject *object)
{
  ExampleImage *self = EXAMPLE_IMAGE (object);

  g_print ("    [image %s finalized: %zu bytes freed]\n", self->file_name, self->n_bytes);
  bytes_alive -= self->n_bytes;
  images_alive--;
  g_free (self->pixels);
  g_free (self->file_name);

  G_OBJECT_CLASS (example_image_parent_class)->finalize (object);
}

static void
example_image_class_init (ExampleImageClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = example_image_finalize;
}

static void
example_image_init (ExampleImage *self)
{
}

/* "Decodes" @file_name: the pixels are a pseudo-random function of the
 * name, so loading the same file twice gives the same pixels. */
static ExampleImage *
example_image_load (const char *file_name)
{
  ExampleImage *self = g_object_new (EXAMPLE_TYPE_IMAGE, NULL);
  guint32 state = g_str_hash (file_name) | 1;
  gsize i;

  self->file_name = g_strdup (file_name);
  self->n_bytes = IMAGE_BYTES;
  self->pixels = g_malloc (self->n_bytes);
  for (i = 0; i < self->n_bytes; i++)
    {
      state ^= state << 13;
      state ^= state >> 17;
      state ^= state << 5;
      self->pixels[i] = state & 0xff;
    }
  bytes_alive += self->n_bytes;
  images_alive++;
  g_print ("    [decoding %s: %d x %d RGBA, %zu bytes]\n",
           file_name, IMAGE_WIDTH, IMAGE_HEIGHT, self->n_bytes);
  return self;
}

static guint32
example_image_checksum (ExampleImage *self)
{
  guint32 sum = 0;
  gsize i;

  for (i = 0; i < self->n_bytes; i += 4096)
    sum = sum * 31 + self->pixels[i];
  return sum;
}

/* The cache: file name (owned, g_free'd) to image (weak). */

typedef struct
{
  WkWeakValueDict *images;
  guint            hits;
  guint            misses;
} ImageCache;

static void
image_cache_init (ImageCache *cache)
{
  cache->images = wk_weak_value_dict_new (g_str_hash, g_str_equal, g_free);
  cache->hits = cache->misses = 0;
}

/* Returns: (transfer full): the image of @file_name, loaded if needed. */
static ExampleImage *
image_cache_get (ImageCache *cache,
                 const char *file_name)
{
  ExampleImage *image = wk_weak_value_dict_lookup (cache->images, file_name);

  if (image != NULL)
    {
      cache->hits++;
      g_print ("  get %-9s -> hit  (%p)\n", file_name, (gpointer) image);
      return image;
    }
  cache->misses++;
  g_print ("  get %-9s -> miss, loading\n", file_name);
  image = example_image_load (file_name);
  wk_weak_value_dict_insert (cache->images, g_strdup (file_name), image);
  g_print ("  get %-9s -> %p\n", file_name, (gpointer) image);
  return image;
}

static void
image_cache_report (ImageCache *cache)
{
  WkWeakValueDictIter iter;
  gpointer key, value;
  gboolean first = TRUE;

  g_print ("  cache: %u entr%s [", wk_weak_value_dict_get_size (cache->images),
           wk_weak_value_dict_get_size (cache->images) == 1 ? "y" : "ies");
  wk_weak_value_dict_iter_init (&iter, cache->images);
  while (wk_weak_value_dict_iter_next (&iter, &key, &value))
    {
      g_print ("%s%s", first ? "" : ", ", (const char *) key);
      first = FALSE;
    }
  g_print ("], %u hits, %u misses; %u images alive, %zu bytes\n",
           cache->hits, cache->misses, images_alive, bytes_alive);
}

static ImageCache cache;

static void
hit_and_miss (void)
{
  ExampleImage *viewer, *editor, *again;
  guint32 checksum;

  g_print ("== A miss loads, a hit shares ==\n");
  viewer = image_cache_get (&cache, "cat.png");
  editor = image_cache_get (&cache, "cat.png");
  g_print ("  the viewer and the editor have %s, loaded once\n",
           viewer == editor ? "the same image" : "DIFFERENT images");
  g_print ("  the cache holds no reference: ref count %u (one each)\n",
           wk_object_get_ref_count (viewer));
  checksum = example_image_checksum (viewer);
  image_cache_report (&cache);

  g_print ("the viewer lets go:\n");
  g_object_unref (viewer);
  image_cache_report (&cache);
  g_print ("the editor lets go, the last user:\n");
  g_object_unref (editor);
  again = wk_weak_value_dict_lookup (cache.images, "cat.png");
  g_print ("  contains cat.png: %s, lookup: %s\n",
           wk_weak_value_dict_contains (cache.images, "cat.png") ? "yes" : "no",
           again != NULL ? "an image" : "NULL");
  g_clear_object (&again);
  image_cache_report (&cache);

  g_print ("the next request is a miss again:\n");
  again = image_cache_get (&cache, "cat.png");
  g_print ("  same pixels as before (checksum %08x): %s\n",
           checksum, example_image_checksum (again) == checksum ? "yes" : "NO");
  image_cache_report (&cache);
  g_print ("and lets go:\n");
  g_object_unref (again);
  g_print ("\n");
}

static void
many_users (void)
{
  static const char *requests[] = {
    "dog.png", "cat.png", "dog.png", "bird.png", "dog.png", "cat.png",
  };
  ExampleImage *users[G_N_ELEMENTS (requests)];
  guint i;

  g_print ("== Six users, three images ==\n");
  for (i = 0; i < G_N_ELEMENTS (requests); i++)
    users[i] = image_cache_get (&cache, requests[i]);
  image_cache_report (&cache);
  g_print ("  without the cache: %zu bytes; with it: %zu\n",
           G_N_ELEMENTS (requests) * (gsize) IMAGE_BYTES, bytes_alive);

  g_print ("the users let go, one by one:\n");
  for (i = 0; i < G_N_ELEMENTS (requests); i++)
    {
      g_print ("  user %u drops %s\n", i, requests[i]);
      g_object_unref (users[i]);
    }
  image_cache_report (&cache);
  g_print ("\n");
}

/* Metadata that someone else attaches to images: the cache does not know
 * about it, and it must not keep images alive. */
typedef struct
{
  char  *file_name;
  char  *camera;
  guint  times_shown;
} ImageInfo;

static void
image_info_free (gpointer data)
{
  ImageInfo *info = data;

  g_print ("    [metadata of %s freed (camera %s, shown %u times)]\n",
           info->file_name, info->camera, info->times_shown);
  g_free (info->file_name);
  g_free (info->camera);
  g_free (info);
}

static ImageInfo *
image_info_new (const char *file_name,
                const char *camera)
{
  ImageInfo *info = g_new0 (ImageInfo, 1);

  info->file_name = g_strdup (file_name);
  info->camera = g_strdup (camera);
  return info;
}

static void
metadata (void)
{
  WkWeakKeyDict *info = wk_weak_key_dict_new (image_info_free);
  ExampleImage *cat, *dog;
  ImageInfo *found;

  g_print ("== Metadata in a WkWeakKeyDict: it dies with its image ==\n");
  cat = image_cache_get (&cache, "cat.png");
  dog = image_cache_get (&cache, "dog.png");
  wk_weak_key_dict_insert (info, G_OBJECT (cat), image_info_new ("cat.png", "X100"));
  wk_weak_key_dict_insert (info, G_OBJECT (dog), image_info_new ("dog.png", "EOS 5D"));
  found = wk_weak_key_dict_lookup (info, G_OBJECT (cat));
  found->times_shown += 3;
  g_print ("  metadata for %u images; cat.png was taken with a %s\n",
           wk_weak_key_dict_get_size (info), found->camera);
  g_print ("  the images' ref counts are still %u and %u\n",
           wk_object_get_ref_count (cat), wk_object_get_ref_count (dog));

  g_print ("new metadata for dog.png replaces the old (destroy notify runs):\n");
  wk_weak_key_dict_insert (info, G_OBJECT (dog), image_info_new ("dog.png", "EOS R5"));

  g_print ("the last user of cat.png lets go:\n");
  g_object_unref (cat);
  g_print ("  metadata for %u image; cat.png in the cache: %s\n",
           wk_weak_key_dict_get_size (info),
           wk_weak_value_dict_contains (cache.images, "cat.png") ? "yes" : "no");

  g_print ("the metadata dict itself goes first, dog.png stays cached:\n");
  g_object_unref (info);
  image_cache_report (&cache);
  g_object_unref (dog);
  image_cache_report (&cache);
  g_print ("\n");
}

/* A view shows one image and keeps it alive; the window's list of views
 * (a GListStore) owns them, and a WkWeakSet tracks which are open. */
static WkObject *
view_new (const char *title,
          ExampleImage *image)
{
  WkObject *view = wk_object_new ();

  g_object_set_data_full (G_OBJECT (view), "title", g_strdup (title), g_free);
  g_object_set_data_full (G_OBJECT (view), "image", image, g_object_unref);
  return view;
}

static void
print_view (gpointer view,
            gpointer user_data)
{
  ExampleImage *image = g_object_get_data (view, "image");

  g_print (" \"%s\" (%s)", (const char *) g_object_get_data (view, "title"),
           image->file_name);
}

static void
report_views (WkWeakSet *open_views)
{
  guint n = wk_weak_set_get_size (open_views);

  g_print ("  %u open view%s%s", n, n == 1 ? "" : "s", n > 0 ? ":" : "");
  wk_weak_set_foreach (open_views, print_view, NULL);
  g_print ("\n");
}

static void
views (void)
{
  GListStore *window = g_list_store_new (WK_TYPE_OBJECT);
  WkWeakSet *open_views = wk_weak_set_new ();
  static const char *titles[][2] = {
    { "Holiday", "beach.png" },
    { "Holiday, zoomed", "beach.png" },
    { "Pets", "dog.png" },
  };
  guint i;

  g_print ("== Open views in a WkWeakSet ==\n");
  for (i = 0; i < G_N_ELEMENTS (titles); i++)
    {
      WkObject *view = view_new (titles[i][0], image_cache_get (&cache, titles[i][1]));

      g_list_store_append (window, view);
      wk_weak_set_add (open_views, G_OBJECT (view));
      g_object_unref (view);
    }
  report_views (open_views);
  image_cache_report (&cache);

  g_print ("closing \"Holiday\" (beach.png is still shown by the zoomed view):\n");
  g_list_store_remove (window, 0);
  report_views (open_views);
  image_cache_report (&cache);

  g_print ("closing the window:\n");
  g_list_store_remove_all (window);
  report_views (open_views);
  image_cache_report (&cache);

  g_object_unref (open_views);
  g_object_unref (window);
  g_print ("\n");
}

int
main (void)
{
  g_print ("Wk %s on GLib %u.%u.%u\n\n", WK_VERSION_S,
           glib_major_version, glib_minor_version, glib_micro_version);
  image_cache_init (&cache);
  hit_and_miss ();
  many_users ();
  metadata ();
  views ();
  g_object_unref (cache.images);
  g_print ("done: %u images alive, %zu bytes\n", images_alive, bytes_alive);
  return images_alive == 0 && bytes_alive == 0 ? 0 : 1;
}
