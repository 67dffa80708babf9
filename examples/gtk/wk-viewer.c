/* wk-viewer.c: a GTK 4 image viewer with a weak texture cache
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The GTK version of examples/image-cache.c. Each image of the catalog
 * is a WkViewerImage, and each open view of one (a notebook page) is a
 * WkViewerView; both subclass WkObject. Decoded pixels are GdkTextures,
 * and the cache is a WkWeakValueDict from file name to texture: the
 * cache holds no reference, so a texture is shared while any view shows
 * it and freed as soon as none does, with no eviction policy to tune.
 *
 * Closing a page does not destroy its view at once: closed views are
 * kept so that "Reopen closed view" can bring them back, and they keep
 * their textures alive meanwhile. "Drop closed views and collect" lets
 * them go and runs a collection; the panel shows the textures freed.
 *
 * With --self-test the program drives its own window (open, share,
 * close, drop), checks the cache counts at each step, saves a PNG of
 * the window and exits; CI runs it under Xvfb.
 *
 * Every view opened is also recorded in the history (a WkViewerHistory,
 * "recently viewed"), which holds it until the view is dropped. With
 * --leak, dropping forgets to take the view out of the history: the
 * forgotten reference keeps the closed view, and its texture, alive.
 * --leak --self-test hunts that leak as one would in a real program:
 * the census (wk_gc_get_census ()) shows a view that should be gone, and
 * wk_gc_write_graph () draws what keeps it alive.
 */

#include <string.h>

#include <gtk/gtk.h>
#include <wk/wk.h>

#ifndef WK_VIEWER_IMAGE_DIR
# define WK_VIEWER_IMAGE_DIR "."
#endif

/* WkViewerImage: one image file of the catalog. It knows where the file
 * is, not its pixels: those are in the cache, decoded on demand. */

#define WK_VIEWER_TYPE_IMAGE (wk_viewer_image_get_type ())
G_DECLARE_FINAL_TYPE (WkViewerImage, wk_viewer_image, WK_VIEWER, IMAGE, WkObject)

struct _WkViewerImage
{
  WkObject  parent_instance;
  char     *path;        /* the cache key */
  char     *name;        /* what the user sees */
  goffset   file_size;
};

G_DEFINE_FINAL_TYPE (WkViewerImage, wk_viewer_image, WK_TYPE_OBJECT)

static void
wk_viewer_image_finalize (GObject *object)
{
  WkViewerImage *self = WK_VIEWER_IMAGE (object);

  g_free (self->path);
  g_free (self->name);

  G_OBJECT_CLASS (wk_viewer_image_parent_class)->finalize (object);
}

static void
wk_viewer_image_class_init (WkViewerImageClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = wk_viewer_image_finalize;
}

static void
wk_viewer_image_init (WkViewerImage *self)
{
}

static WkViewerImage *
wk_viewer_image_new (GFile *file,
                     goffset file_size)
{
  WkViewerImage *self = g_object_new (WK_VIEWER_TYPE_IMAGE, NULL);

  self->path = g_file_get_path (file);
  self->name = g_file_get_basename (file);
  self->file_size = file_size;
  return self;
}

/* WkViewerView: one view of an image, the model behind a notebook page.
 * It holds the texture it shows: that reference (and the GtkPicture's)
 * is what keeps a cached texture alive. It holds its image and texture
 * with wk_object_hold (), so that the collector, and the graphs of
 * wk_gc_write_graph (), see those references; the fields are borrowed
 * copies of them. */

#define WK_VIEWER_TYPE_VIEW (wk_viewer_view_get_type ())
G_DECLARE_FINAL_TYPE (WkViewerView, wk_viewer_view, WK_VIEWER, VIEW, WkObject)

struct _WkViewerView
{
  WkObject       parent_instance;
  WkViewerImage *image;     /* held */
  GdkTexture    *texture;   /* held */
  guint          number;
};

G_DEFINE_FINAL_TYPE (WkViewerView, wk_viewer_view, WK_TYPE_OBJECT)

static void
wk_viewer_view_dispose (GObject *object)
{
  WkViewerView *self = WK_VIEWER_VIEW (object);

  /* WkObject's dispose releases what the view holds. */
  self->texture = NULL;
  self->image = NULL;

  G_OBJECT_CLASS (wk_viewer_view_parent_class)->dispose (object);
}

static void
wk_viewer_view_class_init (WkViewerViewClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = wk_viewer_view_dispose;
}

static void
wk_viewer_view_init (WkViewerView *self)
{
}

static WkViewerView *
wk_viewer_view_new (WkViewerImage *image,
                    GdkTexture    *texture,
                    guint          number)
{
  WkViewerView *self = g_object_new (WK_VIEWER_TYPE_VIEW, NULL);

  wk_object_hold (WK_OBJECT (self), G_OBJECT (image));
  wk_object_hold (WK_OBJECT (self), G_OBJECT (texture));
  self->image = image;
  self->texture = texture;
  self->number = number;
  return self;
}

/* WkViewerHistory: the views opened, "recently viewed", each held until
 * the view is dropped (wk_object_hold (), so that the collector and the
 * graphs see what it holds). */

#define WK_VIEWER_TYPE_HISTORY (wk_viewer_history_get_type ())
G_DECLARE_FINAL_TYPE (WkViewerHistory, wk_viewer_history, WK_VIEWER, HISTORY, WkObject)

struct _WkViewerHistory
{
  WkObject parent_instance;
};

G_DEFINE_FINAL_TYPE (WkViewerHistory, wk_viewer_history, WK_TYPE_OBJECT)

static void
wk_viewer_history_class_init (WkViewerHistoryClass *klass)
{
}

static void
wk_viewer_history_init (WkViewerHistory *self)
{
}

/* The application. */

typedef struct _SelfTest SelfTest;

typedef struct
{
  GtkApplication  *app;
  char            *image_dir;
  GListStore      *catalog;          /* WkViewerImage, sorted by name */

  /* The cache: file path (owned) to GdkTexture (weak). */
  WkWeakValueDict *textures;
  guint            hits;
  guint            misses;

  /* Counted by finalizers, so they count real deaths, not our guesses. */
  guint            textures_freed;
  guint            views_freed;

  /* The finalizers that may still run. Their data is this struct, which
   * goes away before the last textures may (GTK can hold some until its
   * own shutdown), so the ones still pending are detached at the end. */
  GPtrArray       *finalizers;

  /* Views whose page was closed, oldest first, kept for "Reopen". */
  GPtrArray       *closed_views;
  guint            next_view_number;

  /* Every view not dropped yet, open or closed. With --leak, dropping
   * a view forgets to take it out: the leak the self-test hunts. */
  WkViewerHistory *history;
  gboolean         leak;

  GtkWindow       *window;
  GtkNotebook     *notebook;
  GtkListBox      *catalog_list;
  GtkLabel        *entries_label;
  GtkLabel        *entry_names_label;
  GtkLabel        *hits_label;
  GtkLabel        *misses_label;
  GtkLabel        *textures_freed_label;
  GtkLabel        *views_freed_label;
  GtkLabel        *open_views_label;
  GtkLabel        *closed_views_label;
  GtkLabel        *status_label;
  GtkWidget       *reopen_button;
  GtkWidget       *drop_button;
  guint            refresh_id;
  guint            frames_painted;

  gboolean         self_test_enabled;
  char            *screenshot_path;
  char            *graph_path;        /* the --leak self-test's picture */
  SelfTest        *self_test;
  int              exit_status;
} WkViewer;

static void self_test_start (WkViewer *viewer);
static void self_test_free  (SelfTest *test);

/* The panel */

static void
set_count (GtkLabel *label,
           guint     count)
{
  char text[16];

  g_snprintf (text, sizeof text, "%u", count);
  gtk_label_set_text (label, text);
}

/* Brings the panel, and the notebook's tab strip, up to date. */
static void
viewer_refresh (WkViewer *viewer)
{
  WkWeakValueDictIter iter;
  GString *names = g_string_new (NULL);
  gpointer key;

  if (viewer->window == NULL)
    return;

  wk_weak_value_dict_iter_init (&iter, viewer->textures);
  while (wk_weak_value_dict_iter_next (&iter, &key, NULL))
    {
      char *name = g_path_get_basename (key);

      g_string_append_printf (names, "%s%s", names->len > 0 ? "\n" : "", name);
      g_free (name);
    }

  set_count (viewer->entries_label, wk_weak_value_dict_get_size (viewer->textures));
  gtk_label_set_text (viewer->entry_names_label, names->str);
  set_count (viewer->hits_label, viewer->hits);
  set_count (viewer->misses_label, viewer->misses);
  set_count (viewer->textures_freed_label, viewer->textures_freed);
  set_count (viewer->views_freed_label, viewer->views_freed);
  set_count (viewer->open_views_label, gtk_notebook_get_n_pages (viewer->notebook));
  /* GTK 4.8's notebook warns about a negative tab-strip height when it
   * has no pages and shows its tabs. */
  gtk_notebook_set_show_tabs (viewer->notebook, gtk_notebook_get_n_pages (viewer->notebook) > 0);
  set_count (viewer->closed_views_label, viewer->closed_views->len);
  gtk_widget_set_sensitive (viewer->reopen_button, viewer->closed_views->len > 0);
  gtk_widget_set_sensitive (viewer->drop_button, viewer->closed_views->len > 0);
  g_string_free (names, TRUE);
}

static gboolean
refresh_idle (gpointer data)
{
  WkViewer *viewer = data;

  viewer->refresh_id = 0;
  viewer_refresh (viewer);
  return G_SOURCE_REMOVE;
}

/* Finalizers run inside the unref that kills their object, which can be
 * deep inside GTK (a render node or a widget being freed): no place to
 * relayout labels from. The panel is refreshed later, from the main loop. */
static void
viewer_schedule_refresh (WkViewer *viewer)
{
  if (viewer->refresh_id == 0 && viewer->window != NULL)
    viewer->refresh_id = g_idle_add (refresh_idle, viewer);
}

static void
texture_finalized (gpointer data)
{
  WkViewer *viewer = data;

  viewer->textures_freed++;
  viewer_schedule_refresh (viewer);
}

static void
view_finalized (gpointer data)
{
  WkViewer *viewer = data;

  viewer->views_freed++;
  viewer_schedule_refresh (viewer);
}

static void
viewer_count_frees (WkViewer       *viewer,
                    gpointer        object,
                    WkFinalizeFunc  func)
{
  WkFinalizer *finalizer = wk_finalizer_new (object, func, viewer, NULL);
  guint i;

  /* Counting an object that is merely alive at exit as freed would be a
   * lie, and by then the viewer is gone. */
  wk_finalizer_set_atexit (finalizer, FALSE);

  for (i = viewer->finalizers->len; i > 0; i--)
    if (!wk_finalizer_is_alive (g_ptr_array_index (viewer->finalizers, i - 1)))
      g_ptr_array_remove_index_fast (viewer->finalizers, i - 1);
  g_ptr_array_add (viewer->finalizers, finalizer);
}

/* The cache */

/* Returns: (transfer full): the texture of @image, decoded on a miss */
static GdkTexture *
viewer_get_texture (WkViewer       *viewer,
                    WkViewerImage  *image,
                    GError        **error)
{
  GdkTexture *texture = wk_weak_value_dict_lookup (viewer->textures, image->path);

  if (texture != NULL)
    {
      viewer->hits++;
      return texture;
    }

  viewer->misses++;
  texture = gdk_texture_new_from_filename (image->path, error);
  if (texture == NULL)
    return NULL;
  wk_weak_value_dict_insert (viewer->textures, g_strdup (image->path), texture);
  viewer_count_frees (viewer, texture, texture_finalized);
  return texture;
}

/* Views and pages */

#define PAGE_VIEW_KEY         "wk-viewer-view"
#define PAGE_CLOSE_BUTTON_KEY "wk-viewer-close-button"
#define CLOSE_BUTTON_PAGE_KEY "wk-viewer-page"

static WkViewerView *
page_get_view (GtkWidget *page)
{
  return g_object_get_data (G_OBJECT (page), PAGE_VIEW_KEY);
}

static void
viewer_close_page (WkViewer  *viewer,
                   GtkWidget *page)
{
  WkViewerView *view = g_object_ref (page_get_view (page));

  /* The page and its GtkPicture die here; the view lives on, closed,
   * and so does its texture until the view is dropped. */
  gtk_notebook_remove_page (viewer->notebook, gtk_notebook_page_num (viewer->notebook, page));
  g_ptr_array_add (viewer->closed_views, view);
  viewer_refresh (viewer);
}

static void
close_button_clicked (GtkButton *button,
                      WkViewer  *viewer)
{
  viewer_close_page (viewer, g_object_get_data (G_OBJECT (button), CLOSE_BUTTON_PAGE_KEY));
}

static void
viewer_add_page (WkViewer     *viewer,
                 WkViewerView *view)
{
  GtkWidget *page, *picture, *caption, *tab, *tab_label, *close_button;
  char *text;
  int page_num;

  picture = gtk_picture_new_for_paintable (GDK_PAINTABLE (view->texture));
  gtk_widget_set_vexpand (picture, TRUE);

  /* The texture's address makes the sharing visible: two views of one
   * file show the same one. */
  text = g_strdup_printf ("%s, %d \u00d7 %d, texture %p",
                          view->image->name,
                          gdk_texture_get_width (view->texture),
                          gdk_texture_get_height (view->texture),
                          (gpointer) view->texture);
  caption = gtk_label_new (text);
  gtk_widget_add_css_class (caption, "dim-label");
  g_free (text);

  page = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_margin_top (page, 12);
  gtk_widget_set_margin_bottom (page, 12);
  gtk_box_append (GTK_BOX (page), picture);
  gtk_box_append (GTK_BOX (page), caption);
  g_object_set_data_full (G_OBJECT (page), PAGE_VIEW_KEY, g_object_ref (view), g_object_unref);

  text = g_strdup_printf ("%s (%u)", view->image->name, view->number);
  tab_label = gtk_label_new (text);
  g_free (text);
  close_button = gtk_button_new_from_icon_name ("window-close-symbolic");
  gtk_button_set_has_frame (GTK_BUTTON (close_button), FALSE);
  gtk_widget_set_tooltip_text (close_button, "Close view");
  /* Plain pointers: the button lives in the page's tab and dies with it. */
  g_object_set_data (G_OBJECT (close_button), CLOSE_BUTTON_PAGE_KEY, page);
  g_object_set_data (G_OBJECT (page), PAGE_CLOSE_BUTTON_KEY, close_button);
  g_signal_connect (close_button, "clicked", G_CALLBACK (close_button_clicked), viewer);
  tab = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  gtk_box_append (GTK_BOX (tab), tab_label);
  gtk_box_append (GTK_BOX (tab), close_button);

  page_num = gtk_notebook_append_page (viewer->notebook, page, tab);
  gtk_notebook_set_current_page (viewer->notebook, page_num);
}

static gboolean
viewer_open_image (WkViewer       *viewer,
                   WkViewerImage  *image,
                   GError        **error)
{
  GdkTexture *texture = viewer_get_texture (viewer, image, error);
  WkViewerView *view;

  if (texture == NULL)
    {
      viewer_refresh (viewer);
      return FALSE;
    }

  view = wk_viewer_view_new (image, texture, ++viewer->next_view_number);
  viewer_count_frees (viewer, view, view_finalized);
  wk_object_hold (WK_OBJECT (viewer->history), G_OBJECT (view));
  viewer_add_page (viewer, view);
  g_object_unref (view);
  g_object_unref (texture);
  viewer_refresh (viewer);
  return TRUE;
}

static void
catalog_row_activated (GtkListBox    *list,
                       GtkListBoxRow *row,
                       WkViewer      *viewer)
{
  WkViewerImage *image = g_list_model_get_item (G_LIST_MODEL (viewer->catalog),
                                                gtk_list_box_row_get_index (row));
  GError *error = NULL;

  if (viewer_open_image (viewer, image, &error))
    {
      gtk_label_set_text (viewer->status_label, "");
    }
  else
    {
      char *text = g_strdup_printf ("Could not open %s: %s", image->name, error->message);

      gtk_label_set_text (viewer->status_label, text);
      g_free (text);
      g_error_free (error);
    }
  g_object_unref (image);
}

static void
reopen_clicked (GtkButton *button,
                WkViewer  *viewer)
{
  WkViewerView *view;

  if (viewer->closed_views->len == 0)
    return;

  /* Not a cache lookup: the closed view kept its texture. */
  view = g_ptr_array_steal_index (viewer->closed_views, viewer->closed_views->len - 1);
  viewer_add_page (viewer, view);
  g_object_unref (view);
  viewer_refresh (viewer);
}

/* The views alive, as the census counts them: open, closed, and those
 * dropped but still referenced. */
static guint
count_live_views (void)
{
  GVariant *census = wk_gc_get_census ();
  guint32 n = 0;

  g_variant_lookup (census, g_type_name (WK_VIEWER_TYPE_VIEW), "u", &n);
  g_variant_unref (census);
  return n;
}

static void
drop_clicked (GtkButton *button,
              WkViewer  *viewer)
{
  guint i, live, open_views, leaked;

  /* The closed views are all that keeps their textures alive once no
   * page shows them; dropping them lets the cache entries die. Then a
   * collection, for model objects caught in reference cycles (the viewer
   * makes none, so it usually finds nothing). */
  for (i = 0; i < viewer->closed_views->len && !viewer->leak; i++)
    wk_object_release (WK_OBJECT (viewer->history), g_ptr_array_index (viewer->closed_views, i));
  g_ptr_array_set_size (viewer->closed_views, 0);
  wk_gc_collect (-1);
  viewer_refresh (viewer);

  /* What a user of --leak sees: the census knows better than the panel. */
  live = count_live_views ();
  open_views = gtk_notebook_get_n_pages (viewer->notebook);
  leaked = live > open_views ? live - open_views : 0;
  if (leaked > 0)
    {
      char *text = g_strdup_printf ("%u dropped view%s still alive: a forgotten reference "
                                    "(run with --leak --self-test to see it drawn)",
                                    leaked, leaked == 1 ? " is" : "s are");

      gtk_label_set_text (viewer->status_label, text);
      g_free (text);
    }
}

/* The window */

static GtkWidget *
create_catalog_row (gpointer item,
                    gpointer user_data)
{
  WkViewerImage *image = item;
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *name = gtk_label_new (image->name);
  char *size = g_format_size (image->file_size);
  GtkWidget *detail = gtk_label_new (size);

  gtk_label_set_xalign (GTK_LABEL (name), 0.0);
  gtk_label_set_xalign (GTK_LABEL (detail), 0.0);
  gtk_widget_add_css_class (detail, "dim-label");
  gtk_widget_add_css_class (detail, "caption");
  gtk_box_append (GTK_BOX (row), name);
  gtk_box_append (GTK_BOX (row), detail);
  gtk_widget_set_margin_start (row, 8);
  gtk_widget_set_margin_end (row, 8);
  gtk_widget_set_margin_top (row, 6);
  gtk_widget_set_margin_bottom (row, 6);
  g_free (size);
  return row;
}

static GtkLabel *
add_panel_row (GtkGrid    *grid,
               int         row,
               const char *title)
{
  GtkWidget *name = gtk_label_new (title);
  GtkWidget *value = gtk_label_new ("0");

  gtk_label_set_xalign (GTK_LABEL (name), 0.0);
  gtk_widget_set_hexpand (name, TRUE);
  gtk_label_set_xalign (GTK_LABEL (value), 1.0);
  gtk_widget_add_css_class (value, "numeric");
  gtk_grid_attach (grid, name, 0, row, 1, 1);
  gtk_grid_attach (grid, value, 1, row, 1, 1);
  return GTK_LABEL (value);
}

static GtkWidget *
create_panel (WkViewer *viewer)
{
  GtkWidget *panel = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *heading = gtk_label_new ("Texture cache");
  GtkWidget *grid = gtk_grid_new ();
  GtkWidget *note;

  gtk_widget_set_size_request (panel, 240, -1);
  gtk_widget_set_margin_start (panel, 12);
  gtk_widget_set_margin_end (panel, 12);
  gtk_widget_set_margin_top (panel, 12);
  gtk_widget_set_margin_bottom (panel, 12);
  gtk_label_set_xalign (GTK_LABEL (heading), 0.0);
  gtk_widget_add_css_class (heading, "heading");
  gtk_box_append (GTK_BOX (panel), heading);

  gtk_grid_set_row_spacing (GTK_GRID (grid), 4);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 12);
  viewer->entries_label = add_panel_row (GTK_GRID (grid), 0, "Entries");
  viewer->hits_label = add_panel_row (GTK_GRID (grid), 1, "Hits");
  viewer->misses_label = add_panel_row (GTK_GRID (grid), 2, "Misses (decoded)");
  viewer->textures_freed_label = add_panel_row (GTK_GRID (grid), 3, "Textures freed");
  viewer->views_freed_label = add_panel_row (GTK_GRID (grid), 4, "Views freed");
  viewer->open_views_label = add_panel_row (GTK_GRID (grid), 5, "Open views");
  viewer->closed_views_label = add_panel_row (GTK_GRID (grid), 6, "Closed views kept");
  gtk_box_append (GTK_BOX (panel), grid);

  viewer->entry_names_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (viewer->entry_names_label, 0.0);
  gtk_widget_add_css_class (GTK_WIDGET (viewer->entry_names_label), "caption");
  gtk_box_append (GTK_BOX (panel), GTK_WIDGET (viewer->entry_names_label));

  viewer->reopen_button = gtk_button_new_with_mnemonic ("_Reopen closed view");
  g_signal_connect (viewer->reopen_button, "clicked", G_CALLBACK (reopen_clicked), viewer);
  gtk_box_append (GTK_BOX (panel), viewer->reopen_button);
  viewer->drop_button = gtk_button_new_with_mnemonic ("_Drop closed views and collect");
  gtk_widget_set_tooltip_text (viewer->drop_button,
                               "Release the closed views: textures that no open view shows are freed");
  g_signal_connect (viewer->drop_button, "clicked", G_CALLBACK (drop_clicked), viewer);
  gtk_box_append (GTK_BOX (panel), viewer->drop_button);

  note = gtk_label_new ("The cache is a WkWeakValueDict: it holds no reference, so an entry "
                        "lasts exactly as long as some view uses its texture.");
  gtk_label_set_wrap (GTK_LABEL (note), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (note), 30);
  gtk_label_set_xalign (GTK_LABEL (note), 0.0);
  gtk_widget_add_css_class (note, "dim-label");
  gtk_widget_set_vexpand (note, TRUE);
  gtk_widget_set_valign (note, GTK_ALIGN_END);
  gtk_box_append (GTK_BOX (panel), note);

  viewer->status_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (viewer->status_label, TRUE);
  gtk_label_set_xalign (viewer->status_label, 0.0);
  gtk_widget_add_css_class (GTK_WIDGET (viewer->status_label), "error");
  gtk_box_append (GTK_BOX (panel), GTK_WIDGET (viewer->status_label));
  return panel;
}

static void
frame_painted (GdkFrameClock *clock,
               WkViewer      *viewer)
{
  viewer->frames_painted++;
}

static void
window_realized (GtkWidget *window,
                 WkViewer  *viewer)
{
  /* The self-test waits for real frames before it takes its picture. */
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                    G_CALLBACK (frame_painted), viewer);
}

static void
window_unrealized (GtkWidget *window,
                   WkViewer  *viewer)
{
  g_signal_handlers_disconnect_by_func (gtk_widget_get_frame_clock (window), frame_painted, viewer);
}

static void
window_destroyed (GtkWidget *window,
                  WkViewer  *viewer)
{
  viewer->window = NULL;
  g_clear_handle_id (&viewer->refresh_id, g_source_remove);
}

static void
viewer_create_window (WkViewer *viewer)
{
  GtkWidget *window, *content, *scroller, *list, *notebook;

  window = gtk_application_window_new (viewer->app);
  gtk_window_set_title (GTK_WINDOW (window), "Wk Viewer");
  gtk_window_set_default_size (GTK_WINDOW (window), 980, 560);
  g_signal_connect_after (window, "realize", G_CALLBACK (window_realized), viewer);
  g_signal_connect (window, "unrealize", G_CALLBACK (window_unrealized), viewer);
  g_signal_connect (window, "destroy", G_CALLBACK (window_destroyed), viewer);

  list = gtk_list_box_new ();
  gtk_list_box_bind_model (GTK_LIST_BOX (list), G_LIST_MODEL (viewer->catalog),
                           create_catalog_row, NULL, NULL);
  gtk_widget_add_css_class (list, "navigation-sidebar");
  g_signal_connect (list, "row-activated", G_CALLBACK (catalog_row_activated), viewer);
  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), list);
  gtk_widget_set_size_request (scroller, 180, -1);

  notebook = gtk_notebook_new ();
  gtk_notebook_set_scrollable (GTK_NOTEBOOK (notebook), TRUE);
  gtk_widget_set_hexpand (notebook, TRUE);

  content = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_box_append (GTK_BOX (content), scroller);
  gtk_box_append (GTK_BOX (content), gtk_separator_new (GTK_ORIENTATION_VERTICAL));
  gtk_box_append (GTK_BOX (content), notebook);
  gtk_box_append (GTK_BOX (content), gtk_separator_new (GTK_ORIENTATION_VERTICAL));
  gtk_box_append (GTK_BOX (content), create_panel (viewer));
  gtk_window_set_child (GTK_WINDOW (window), content);

  viewer->window = GTK_WINDOW (window);
  viewer->notebook = GTK_NOTEBOOK (notebook);
  viewer->catalog_list = GTK_LIST_BOX (list);
  viewer_refresh (viewer);
}

/* The catalog: the image files of a directory, sorted by name. */

static int
compare_images (gconstpointer a,
                gconstpointer b,
                gpointer      user_data)
{
  return g_strcmp0 (WK_VIEWER_IMAGE ((gpointer) a)->name, WK_VIEWER_IMAGE ((gpointer) b)->name);
}

static gboolean
is_image_file_name (const char *name)
{
  char *lower = g_ascii_strdown (name, -1);
  gboolean is_image = g_str_has_suffix (lower, ".png") ||
                      g_str_has_suffix (lower, ".jpg") ||
                      g_str_has_suffix (lower, ".jpeg");

  g_free (lower);
  return is_image;
}

static gboolean
viewer_load_catalog (WkViewer  *viewer,
                     GError   **error)
{
  GFile *dir = g_file_new_for_path (viewer->image_dir);
  GFileEnumerator *children;
  GFileInfo *info;
  GFile *child;
  gboolean ok;

  children = g_file_enumerate_children (dir, G_FILE_ATTRIBUTE_STANDARD_NAME "," G_FILE_ATTRIBUTE_STANDARD_SIZE,
                                        G_FILE_QUERY_INFO_NONE, NULL, error);
  g_object_unref (dir);
  if (children == NULL)
    return FALSE;

  while ((ok = g_file_enumerator_iterate (children, &info, &child, NULL, error)) && info != NULL)
    {
      if (is_image_file_name (g_file_info_get_name (info)))
        {
          WkViewerImage *image = wk_viewer_image_new (child, g_file_info_get_size (info));

          g_list_store_insert_sorted (viewer->catalog, image, compare_images, NULL);
          g_object_unref (image);
        }
    }
  g_object_unref (children);
  return ok;
}

/* GApplication */

static void
viewer_activate (GApplication *app,
                 WkViewer     *viewer)
{
  GError *error = NULL;

  if (viewer->window != NULL)
    {
      gtk_window_present (viewer->window);
      return;
    }

  if (!viewer_load_catalog (viewer, &error))
    {
      g_printerr ("wk-viewer: cannot read the images in %s: %s\n", viewer->image_dir, error->message);
      g_error_free (error);
      viewer->exit_status = 1;
      return;
    }

  viewer_create_window (viewer);
  gtk_window_present (viewer->window);
  if (viewer->self_test_enabled)
    self_test_start (viewer);
}

static void
viewer_shutdown (GApplication *app,
                 WkViewer     *viewer)
{
  if (viewer->window != NULL)
    gtk_window_destroy (viewer->window);
}

static int
viewer_handle_local_options (GApplication *app,
                             GVariantDict *options,
                             WkViewer     *viewer)
{
  char *image_dir;

  g_variant_dict_lookup (options, "self-test", "b", &viewer->self_test_enabled);
  g_variant_dict_lookup (options, "leak", "b", &viewer->leak);
  if (g_variant_dict_lookup (options, "graph", "^ay", &viewer->graph_path))
    {
      char *absolute = g_canonicalize_filename (viewer->graph_path, NULL);

      g_free (viewer->graph_path);
      viewer->graph_path = absolute;
    }
  if (g_variant_dict_lookup (options, "screenshot", "^ay", &viewer->screenshot_path))
    {
      /* Relative to where we were started, whatever the saver thinks. */
      char *absolute = g_canonicalize_filename (viewer->screenshot_path, NULL);

      g_free (viewer->screenshot_path);
      viewer->screenshot_path = absolute;
      viewer->self_test_enabled = TRUE;
    }
  if (g_variant_dict_lookup (options, "image-dir", "^ay", &image_dir))
    {
      g_free (viewer->image_dir);
      viewer->image_dir = image_dir;
    }

  /* Under a bare xvfb-run there is no session bus, and GTK's
   * accessibility backend warns that it cannot reach one; the self-test
   * does not need it. This runs before GTK is initialized. */
  if (viewer->self_test_enabled)
    g_setenv ("GTK_A11Y", "none", FALSE);
  return -1;
}

/* The self-test: an idle-driven script over the real widgets. Each step
 * acts through the UI (activating rows and buttons as a user would) and
 * checks the counts; a step may also ask to be called again, for what
 * happens at GTK's pace (frames, render nodes let go). */

typedef enum
{
  STEP_DONE,
  STEP_AGAIN,
  STEP_FAILED,
} StepResult;

typedef StepResult (*StepFunc) (WkViewer *viewer);

typedef struct
{
  const char *name;
  StepFunc    func;
} Step;

struct _SelfTest
{
  const Step *steps;       /* the script: the cache's, or the leak hunt's */
  guint       n_steps;
  guint       step;
  guint       n_checks;
  guint       timeout_id;
  gint64      step_started;
  guint       step_frames;     /* frames painted when the step began */
  guint       step_calls;
  GVariant   *census_before;   /* the leak hunt's first census */
};

#define SELF_TEST_TICK_MS       20
#define SELF_TEST_STEP_TIMEOUT  (5 * G_TIME_SPAN_SECOND)

static gboolean
check (WkViewer   *viewer,
       gboolean    ok,
       const char *format,
       ...) G_GNUC_PRINTF (3, 4);

static gboolean
check (WkViewer   *viewer,
       gboolean    ok,
       const char *format,
       ...)
{
  va_list args;
  char *message;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_print ("%s %u - %s\n", ok ? "ok" : "not ok", ++viewer->self_test->n_checks, message);
  g_free (message);
  return ok;
}

static const char *count_names[] = {
  "entries", "hits", "misses", "textures freed", "views freed", "open views", "closed views",
};

static void
get_counts (WkViewer *viewer,
            guint     counts[7])
{
  guint actual[] = {
    wk_weak_value_dict_get_size (viewer->textures), viewer->hits, viewer->misses,
    viewer->textures_freed, viewer->views_freed,
    gtk_notebook_get_n_pages (viewer->notebook), viewer->closed_views->len,
  };

  G_STATIC_ASSERT (G_N_ELEMENTS (actual) == G_N_ELEMENTS (count_names));
  memcpy (counts, actual, sizeof actual);
}

/* Checks every counter of the panel at once, and says which differ. */
static gboolean
check_counts (WkViewer   *viewer,
              const char *when,
              guint       entries,
              guint       hits,
              guint       misses,
              guint       textures_freed,
              guint       views_freed,
              guint       open_views,
              guint       closed_views)
{
  guint actual[G_N_ELEMENTS (count_names)];
  guint expected[] = {
    entries, hits, misses, textures_freed, views_freed, open_views, closed_views,
  };
  GString *report = g_string_new (NULL);
  gboolean ok = TRUE;
  guint i;

  get_counts (viewer, actual);
  for (i = 0; i < G_N_ELEMENTS (actual); i++)
    {
      g_string_append_printf (report, "%s%s %u", i > 0 ? ", " : "", count_names[i], actual[i]);
      if (actual[i] != expected[i])
        {
          g_string_append_printf (report, " (EXPECTED %u)", expected[i]);
          ok = FALSE;
        }
    }
  ok = check (viewer, ok, "%s: %s", when, report->str);
  g_string_free (report, TRUE);
  return ok;
}

static void
print_counts (WkViewer *viewer)
{
  guint counts[G_N_ELEMENTS (count_names)];
  guint i;

  get_counts (viewer, counts);
  g_print ("# now:");
  for (i = 0; i < G_N_ELEMENTS (counts); i++)
    g_print ("%s %s %u", i > 0 ? "," : "", count_names[i], counts[i]);
  g_print ("\n");
}

static gboolean
open_by_name (WkViewer   *viewer,
              const char *name)
{
  guint i, n = g_list_model_get_n_items (G_LIST_MODEL (viewer->catalog));

  for (i = 0; i < n; i++)
    {
      WkViewerImage *image = g_list_model_get_item (G_LIST_MODEL (viewer->catalog), i);
      gboolean found = g_str_equal (image->name, name);

      g_object_unref (image);
      if (found)
        {
          /* The keyboard's path: the row's activate signal, then the
           * list's row-activated, then the viewer's handler. */
          gtk_widget_activate (GTK_WIDGET (gtk_list_box_get_row_at_index (viewer->catalog_list, i)));
          return TRUE;
        }
    }
  return check (viewer, FALSE, "%s is in the catalog (%s)", name, viewer->image_dir);
}

/* What a mouse click does. Not gtk_widget_activate (): on a GtkButton
 * that plays a 250 ms press animation before it emits "clicked". */
static void
click (GtkWidget *button)
{
  g_signal_emit_by_name (button, "clicked");
}

static void
close_page_at (WkViewer *viewer,
               int       index)
{
  GtkWidget *page = gtk_notebook_get_nth_page (viewer->notebook, index);

  click (g_object_get_data (G_OBJECT (page), PAGE_CLOSE_BUTTON_KEY));
}

static WkViewerView *
view_at (WkViewer *viewer,
         int       index)
{
  return page_get_view (gtk_notebook_get_nth_page (viewer->notebook, index));
}

static StepResult
step_window_shown (WkViewer *viewer)
{
  if (!gtk_widget_get_mapped (GTK_WIDGET (viewer->window)) || viewer->frames_painted == 0)
    return STEP_AGAIN;
  /* The renderer is worth a line: under Xvfb it is GL on Mesa's
   * software rasterizer, or cairo, and a failure may depend on which. */
  return check (viewer, TRUE, "the window is shown (%d \u00d7 %d, %s)",
                gtk_widget_get_width (GTK_WIDGET (viewer->window)),
                gtk_widget_get_height (GTK_WIDGET (viewer->window)),
                G_OBJECT_TYPE_NAME (gtk_native_get_renderer (GTK_NATIVE (viewer->window)))) ? STEP_DONE : STEP_FAILED;
}

static StepResult
step_open_a (WkViewer *viewer)
{
  if (!open_by_name (viewer, "sunset.png"))
    return STEP_FAILED;
  return check_counts (viewer, "open sunset.png, a miss", 1, 0, 1, 0, 0, 1, 0) ? STEP_DONE : STEP_FAILED;
}

static StepResult
step_open_a_again (WkViewer *viewer)
{
  if (!open_by_name (viewer, "sunset.png"))
    return STEP_FAILED;
  if (!check_counts (viewer, "open sunset.png again, a hit", 1, 1, 1, 0, 0, 2, 0))
    return STEP_FAILED;
  return check (viewer,
                view_at (viewer, 0)->texture == view_at (viewer, 1)->texture &&
                gtk_picture_get_paintable (GTK_PICTURE (gtk_widget_get_first_child (gtk_notebook_get_nth_page (viewer->notebook, 1)))) ==
                GDK_PAINTABLE (view_at (viewer, 0)->texture),
                "both views of sunset.png show one texture (%p)",
                (gpointer) view_at (viewer, 0)->texture) ? STEP_DONE : STEP_FAILED;
}

static StepResult
step_open_b (WkViewer *viewer)
{
  if (!open_by_name (viewer, "checker.png"))
    return STEP_FAILED;
  return check_counts (viewer, "open checker.png, a miss", 2, 1, 2, 0, 0, 3, 0) ? STEP_DONE : STEP_FAILED;
}

/* Returns NULL on success, else what failed. */
static const char *
save_window_png (GtkWidget  *window,
                 const char *path)
{
  int width = gtk_widget_get_width (window);
  int height = gtk_widget_get_height (window);
  GdkPaintable *paintable = gtk_widget_paintable_new (window);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  GskRenderNode *node;
  GdkTexture *texture;
  gboolean saved;

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  g_object_unref (paintable);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL)
    return "the window's paintable drew nothing";

  /* The window's own renderer (GL or cairo, whichever GTK chose), so the
   * picture is what the screen shows. */
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)),
                                         node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  gsk_render_node_unref (node);
  saved = gdk_texture_save_to_png (texture, path);
  g_object_unref (texture);
  return saved ? NULL : "gdk_texture_save_to_png () failed";
}

static StepResult
step_screenshot (WkViewer *viewer)
{
  const char *path = viewer->screenshot_path != NULL ? viewer->screenshot_path : "wk-viewer-selftest.png";
  const char *failure;
  GdkTexture *saved;
  GError *error = NULL;

  /* Two frames after the step began: the pages and the panel are laid
   * out and painted as the user would see them. */
  if (viewer->self_test->step_calls == 1)
    gtk_widget_queue_draw (GTK_WIDGET (viewer->window));
  if (viewer->frames_painted < viewer->self_test->step_frames + 2)
    return STEP_AGAIN;

  failure = save_window_png (GTK_WIDGET (viewer->window), path);
  if (failure != NULL &&
      g_get_monotonic_time () - viewer->self_test->step_started < SELF_TEST_STEP_TIMEOUT / 2)
    {
      /* Now and then (under Xvfb, on a loaded machine) one attempt
       * fails: try again at the next tick. */
      g_print ("# saving the PNG: %s; trying again\n", failure);
      return STEP_AGAIN;
    }
  if (!check (viewer, failure == NULL, "save a PNG of the window to %s%s%s", path,
              failure != NULL ? ": " : "", failure != NULL ? failure : ""))
    return STEP_FAILED;
  saved = gdk_texture_new_from_filename (path, &error);
  if (!check (viewer, saved != NULL, "%s loads back: %s", path,
              saved != NULL ? "yes" : error->message))
    {
      g_error_free (error);
      return STEP_FAILED;
    }
  /* Not a cache entry: make sure it does not disturb the counts. */
  if (!check (viewer, gdk_texture_get_width (saved) > 0 && gdk_texture_get_height (saved) > 0,
              "the PNG is %d \u00d7 %d", gdk_texture_get_width (saved), gdk_texture_get_height (saved)))
    {
      g_object_unref (saved);
      return STEP_FAILED;
    }
  g_object_unref (saved);
  return STEP_DONE;
}

static StepResult
step_close_one_a (WkViewer *viewer)
{
  close_page_at (viewer, 0);
  return check_counts (viewer, "close one view of sunset.png (the other still shows it)",
                       2, 1, 2, 0, 0, 2, 1) ? STEP_DONE : STEP_FAILED;
}

static StepResult
step_close_all (WkViewer *viewer)
{
  while (gtk_notebook_get_n_pages (viewer->notebook) > 0)
    close_page_at (viewer, 0);
  return check_counts (viewer, "close the other two (closed views keep their textures)",
                       2, 1, 2, 0, 0, 0, 3) ? STEP_DONE : STEP_FAILED;
}

static StepResult
step_reopen (WkViewer *viewer)
{
  click (viewer->reopen_button);
  if (!check_counts (viewer, "reopen the last closed view (no lookup: it kept its texture)",
                     2, 1, 2, 0, 0, 1, 2))
    return STEP_FAILED;
  if (!check (viewer, g_str_equal (view_at (viewer, 0)->image->name, "checker.png"),
              "the reopened view shows %s", view_at (viewer, 0)->image->name))
    return STEP_FAILED;
  close_page_at (viewer, 0);
  return check_counts (viewer, "close it again", 2, 1, 2, 0, 0, 0, 3) ? STEP_DONE : STEP_FAILED;
}

static StepResult
step_drop (WkViewer *viewer)
{
  click (viewer->drop_button);
  if (!check (viewer, viewer->views_freed == 3 && viewer->closed_views->len == 0,
              "drop the closed views: %u views freed (expected 3)", viewer->views_freed))
    return STEP_FAILED;
  return STEP_DONE;
}

/* GTK may still hold a texture for a frame (the renderer keeps the last
 * frame's render nodes), so the frees are awaited, not assumed. */
static StepResult
wait_for_textures_freed (WkViewer   *viewer,
                         guint       textures_freed,
                         const char *when,
                         guint       misses,
                         guint       views_freed)
{
  if (viewer->textures_freed < textures_freed)
    return STEP_AGAIN;
  return check_counts (viewer, when, 0, 1, misses, textures_freed, views_freed, 0, 0) ? STEP_DONE : STEP_FAILED;
}

static StepResult
step_textures_freed (WkViewer *viewer)
{
  return wait_for_textures_freed (viewer, 2, "both textures freed, the cache is empty", 2, 3);
}

static StepResult
step_open_a_after_free (WkViewer *viewer)
{
  if (!open_by_name (viewer, "sunset.png"))
    return STEP_FAILED;
  return check_counts (viewer, "open sunset.png once more: a miss, decoded again",
                       1, 1, 3, 2, 3, 1, 0) ? STEP_DONE : STEP_FAILED;
}

static StepResult
step_close_and_drop (WkViewer *viewer)
{
  close_page_at (viewer, 0);
  click (viewer->drop_button);
  return check (viewer, viewer->views_freed == 4, "close and drop it: %u views freed (expected 4)",
                viewer->views_freed) ? STEP_DONE : STEP_FAILED;
}

static StepResult
step_all_freed (WkViewer *viewer)
{
  StepResult result = wait_for_textures_freed (viewer, 3, "every texture decoded has been freed", 3, 4);

  if (result == STEP_DONE)
    {
      viewer_refresh (viewer);
      result = check (viewer, g_str_equal (gtk_label_get_text (viewer->textures_freed_label), "3") &&
                              g_str_equal (gtk_label_get_text (viewer->entries_label), "0"),
                      "the panel shows %s entries, %s textures freed",
                      gtk_label_get_text (viewer->entries_label),
                      gtk_label_get_text (viewer->textures_freed_label)) ? STEP_DONE : STEP_FAILED;
    }
  return result;
}

static const Step self_test_steps[] = {
  { "the window is shown",                step_window_shown },
  { "open sunset.png",                    step_open_a },
  { "open sunset.png again",              step_open_a_again },
  { "open checker.png",                   step_open_b },
  { "the screenshot",                     step_screenshot },
  { "close one view",                     step_close_one_a },
  { "close all views",                    step_close_all },
  { "reopen a view",                      step_reopen },
  { "drop the closed views",              step_drop },
  { "the textures are freed",             step_textures_freed },
  { "open after the free",                step_open_a_after_free },
  { "close and drop",                     step_close_and_drop },
  { "the last texture is freed",          step_all_freed },
};

/* The leak hunt (--leak --self-test). Dropping a closed view should free
 * it; with --leak the history still holds it. Nothing in the panel says
 * why: the census shows that a view is alive that should not be, and
 * wk_gc_write_graph () draws what holds it. */

static StepResult
step_leak_census_before (WkViewer *viewer)
{
  GVariant *census = wk_gc_get_census ();
  guint32 views = 0;

  g_variant_lookup (census, g_type_name (WK_VIEWER_TYPE_VIEW), "u", &views);
  viewer->self_test->census_before = census;
  return check (viewer, views == 0, "a census before: %u views alive", views) ? STEP_DONE : STEP_FAILED;
}

static StepResult
step_leak_open_close (WkViewer *viewer)
{
  if (!open_by_name (viewer, "sunset.png"))
    return STEP_FAILED;
  close_page_at (viewer, 0);
  return check_counts (viewer, "open sunset.png and close it", 1, 0, 1, 0, 0, 0, 1) ? STEP_DONE : STEP_FAILED;
}

static StepResult
step_leak_drop (WkViewer *viewer)
{
  click (viewer->drop_button);
  /* In a correct viewer the view dies here (views freed: 1). */
  return check_counts (viewer, "drop the closed view: it is not freed", 1, 0, 1, 0, 0, 0, 0) ? STEP_DONE : STEP_FAILED;
}

static StepResult
step_leak_census_after (WkViewer *viewer)
{
  GVariant *after = wk_gc_get_census ();
  GVariant *growth = wk_gc_census_diff (viewer->self_test->census_before, after);
  char *text = g_variant_print (growth, FALSE);
  gint32 views = 0;
  gboolean ok;

  g_variant_lookup (growth, g_type_name (WK_VIEWER_TYPE_VIEW), "i", &views);
  g_print ("# the census grew by %s\n", text);
  ok = check (viewer, views == 1, "the census finds it: %d more %s than before",
              views, g_type_name (WK_VIEWER_TYPE_VIEW));
  g_free (text);
  g_variant_unref (growth);
  g_variant_unref (after);
  return ok ? STEP_DONE : STEP_FAILED;
}

/* The leaked view, borrowed: the history holds it. */
static WkViewerView *
find_leaked_view (void)
{
  GPtrArray *objects = wk_gc_get_objects (-1);
  WkViewerView *view = NULL;
  guint i;

  for (i = 0; i < objects->len; i++)
    {
      GObject *object = g_ptr_array_index (objects, i);

      if (view == NULL && WK_VIEWER_IS_VIEW (object))
        view = WK_VIEWER_VIEW (object);
      g_object_unref (object);
    }
  g_ptr_array_unref (objects);
  return view;
}

static StepResult
step_leak_graph (WkViewer *viewer)
{
  const char *path = viewer->graph_path != NULL ? viewer->graph_path : "wk-viewer-leak.svg";
  WkViewerView *view = find_leaked_view ();
  GError *error = NULL;
  gboolean ok;

  if (!check (viewer, view != NULL, "the leaked view is among the tracked objects"))
    return STEP_FAILED;
  /* What holds it, and what it holds: a borrowed pointer, so that our
   * own reference does not show as one more from outside. */
  ok = wk_gc_write_graph ((GObject **) &view, 1, 2, WK_GC_GRAPH_REFERRERS | WK_GC_GRAPH_REFERENTS,
                          path, &error);
  if (!ok && g_error_matches (error, G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT))
    {
      /* No Graphviz: the DOT text is written all the same. */
      g_print ("# %s\n", error->message);
      g_clear_error (&error);
      ok = TRUE;
    }
  if (!check (viewer, ok, "draw what keeps it alive: %s", ok ? path : error->message))
    {
      g_error_free (error);
      return STEP_FAILED;
    }
  g_print ("# the graph of the leaked view is in %s: %s holds it\n", path,
           g_type_name (WK_VIEWER_TYPE_HISTORY));
  return STEP_DONE;
}

static StepResult
step_leak_fix (WkViewer *viewer)
{
  if (viewer->self_test->step_calls == 1)
    {
      /* The fix: what drop_clicked () forgot. */
      WkViewerView *view = find_leaked_view ();

      if (!check (viewer, view != NULL && wk_object_release (WK_OBJECT (viewer->history), G_OBJECT (view)),
                  "release the forgotten reference"))
        return STEP_FAILED;
    }
  /* The texture may wait a frame for GTK's renderer to let it go. */
  if (viewer->textures_freed < 1)
    return STEP_AGAIN;
  if (!check_counts (viewer, "the view and its texture are freed", 0, 0, 1, 1, 1, 0, 0))
    return STEP_FAILED;
  return check (viewer, count_live_views () == 0, "the census counts no view") ? STEP_DONE : STEP_FAILED;
}

static const Step leak_test_steps[] = {
  { "the window is shown",                step_window_shown },
  { "a census before",                    step_leak_census_before },
  { "open and close a view",              step_leak_open_close },
  { "drop it",                            step_leak_drop },
  { "the census finds the leak",          step_leak_census_after },
  { "draw the leak",                      step_leak_graph },
  { "fix the leak",                       step_leak_fix },
};

static void
self_test_finish (WkViewer *viewer,
                  gboolean  passed)
{
  SelfTest *test = viewer->self_test;

  g_print ("1..%u\n", test->n_checks);
  if (passed)
    g_print ("# wk-viewer self-test passed\n");
  else
    g_printerr ("wk-viewer: self-test FAILED at step %u (%s)\n",
                test->step + 1, test->steps[test->step].name);
  viewer->exit_status = passed ? 0 : 1;
  test->timeout_id = 0;
  g_application_quit (G_APPLICATION (viewer->app));
}

static gboolean
self_test_tick (gpointer data)
{
  WkViewer *viewer = data;
  SelfTest *test = viewer->self_test;
  StepResult result;

  if (viewer->window == NULL)
    {
      g_printerr ("wk-viewer: the window went away during the self-test\n");
      self_test_finish (viewer, FALSE);
      return G_SOURCE_REMOVE;
    }

  test->step_calls++;
  result = test->steps[test->step].func (viewer);
  switch (result)
    {
    case STEP_DONE:
      test->step++;
      test->step_started = g_get_monotonic_time ();
      test->step_frames = viewer->frames_painted;
      test->step_calls = 0;
      if (test->step == test->n_steps)
        {
          self_test_finish (viewer, TRUE);
          return G_SOURCE_REMOVE;
        }
      return G_SOURCE_CONTINUE;

    case STEP_AGAIN:
      if (g_get_monotonic_time () - test->step_started < SELF_TEST_STEP_TIMEOUT)
        return G_SOURCE_CONTINUE;
      check (viewer, FALSE, "%s: timed out after %d s", test->steps[test->step].name,
             (int) (SELF_TEST_STEP_TIMEOUT / G_TIME_SPAN_SECOND));
      print_counts (viewer);
      self_test_finish (viewer, FALSE);
      return G_SOURCE_REMOVE;

    case STEP_FAILED:
    default:
      self_test_finish (viewer, FALSE);
      return G_SOURCE_REMOVE;
    }
}

static void
self_test_start (WkViewer *viewer)
{
  SelfTest *test = g_new0 (SelfTest, 1);

  viewer->self_test = test;
  test->steps = viewer->leak ? leak_test_steps : self_test_steps;
  test->n_steps = viewer->leak ? G_N_ELEMENTS (leak_test_steps) : G_N_ELEMENTS (self_test_steps);
  test->step_started = g_get_monotonic_time ();
  /* A timeout rather than an idle: it leaves the main loop time to lay
   * out and paint between steps without spinning the CPU. */
  test->timeout_id = g_timeout_add (SELF_TEST_TICK_MS, self_test_tick, viewer);
  g_print ("# wk-viewer self-test%s: images from %s\n",
           viewer->leak ? " (the leak hunt of --leak)" : "", viewer->image_dir);
}

static void
self_test_free (SelfTest *test)
{
  g_clear_handle_id (&test->timeout_id, g_source_remove);
  g_clear_pointer (&test->census_before, g_variant_unref);
  g_free (test);
}

static const GOptionEntry viewer_options[] = {
  { "self-test", 0, 0, G_OPTION_ARG_NONE, NULL,
    "Drive the window through a scripted session, check the cache counts and exit", NULL },
  { "screenshot", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    "Where the self-test saves its PNG of the window (implies --self-test; "
    "default wk-viewer-selftest.png)", "FILE" },
  { "image-dir", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    "The directory of images to show (default: the generated samples)", "DIR" },
  { "leak", 0, 0, G_OPTION_ARG_NONE, NULL,
    "Keep dropped views alive through a forgotten reference; with --self-test, "
    "hunt that leak with the census and draw it", NULL },
  { "graph", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    "Where the --leak self-test draws the leaked view (.svg or .png with Graphviz, "
    "else DOT; default wk-viewer-leak.svg)", "FILE" },
  { NULL }
};

int
main (int   argc,
      char *argv[])
{
  WkViewer viewer = { 0 };
  int status;
  guint i;

  viewer.image_dir = g_strdup (WK_VIEWER_IMAGE_DIR);
  viewer.catalog = g_list_store_new (WK_VIEWER_TYPE_IMAGE);
  viewer.textures = wk_weak_value_dict_new (g_str_hash, g_str_equal, g_free);
  viewer.finalizers = g_ptr_array_new_with_free_func (g_object_unref);
  viewer.closed_views = g_ptr_array_new_with_free_func (g_object_unref);
  viewer.history = g_object_new (WK_VIEWER_TYPE_HISTORY, NULL);

  /* Non-unique: a self-test must drive its own window, never hand its
   * command line to a viewer already running in the session. */
  viewer.app = gtk_application_new ("org.example.WkViewer", G_APPLICATION_NON_UNIQUE);
  g_application_add_main_option_entries (G_APPLICATION (viewer.app), viewer_options);
  g_signal_connect (viewer.app, "handle-local-options", G_CALLBACK (viewer_handle_local_options), &viewer);
  g_signal_connect (viewer.app, "activate", G_CALLBACK (viewer_activate), &viewer);
  g_signal_connect (viewer.app, "shutdown", G_CALLBACK (viewer_shutdown), &viewer);
  status = g_application_run (G_APPLICATION (viewer.app), argc, argv);

  g_clear_pointer (&viewer.self_test, self_test_free);
  g_ptr_array_unref (viewer.closed_views);
  g_object_unref (viewer.history);
  g_object_unref (viewer.app);
  g_object_unref (viewer.catalog);
  /* Whatever is still alive (textures GTK has yet to let go of) must not
   * call back into this stack frame later. */
  for (i = 0; i < viewer.finalizers->len; i++)
    wk_finalizer_detach (g_ptr_array_index (viewer.finalizers, i));
  g_ptr_array_unref (viewer.finalizers);
  g_object_unref (viewer.textures);
  g_free (viewer.image_dir);
  g_free (viewer.screenshot_path);
  g_free (viewer.graph_path);

  return status != 0 ? status : viewer.exit_status;
}
