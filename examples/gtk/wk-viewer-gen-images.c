/* wk-viewer-gen-images.c: writes the sample images of wk-viewer
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The viewer needs a few image files to open, and real files make its
 * cache misses real: a miss decodes a PNG from disk. Rather than keep
 * binary images in git, the build runs this program, which draws each
 * image from a formula into a GdkMemoryTexture and saves it as PNG.
 * Nothing here needs a display.
 *
 * Usage: wk-viewer-gen-images OUTDIR
 */

#include <math.h>

#include <gtk/gtk.h>

typedef void (*PixelFunc) (double  x,
                           double  y,
                           guint8 *rgb);

static guint8
clamp_byte (double value)
{
  return (guint8) CLAMP (value * 255.0 + 0.5, 0.0, 255.0);
}

/* An evening sky over the sea, with the sun half set. */
static void
sunset_pixel (double  x,
              double  y,
              guint8 *rgb)
{
  double sun = hypot (x - 0.5, (y - 0.6) * 1.4);

  if (y > 0.6)
    {
      double ripple = 0.5 + 0.5 * sin (x * 60.0 + y * 200.0);

      rgb[0] = clamp_byte (0.15 + 0.25 * ripple * (1.0 - fabs (x - 0.5) * 2.0));
      rgb[1] = clamp_byte (0.10 + 0.10 * ripple);
      rgb[2] = clamp_byte (0.35 + 0.15 * (y - 0.6));
    }
  else if (sun < 0.15)
    {
      rgb[0] = 255;
      rgb[1] = clamp_byte (0.85 - sun * 2.0);
      rgb[2] = clamp_byte (0.3);
    }
  else
    {
      rgb[0] = clamp_byte (0.95 - 0.4 * (0.6 - y));
      rgb[1] = clamp_byte (0.35 + 0.3 * y);
      rgb[2] = clamp_byte (0.45 + 0.5 * (0.6 - y));
    }
}

static void
checker_pixel (double  x,
               double  y,
               guint8 *rgb)
{
  gboolean dark = (((int) (x * 8.0)) + ((int) (y * 8.0))) % 2 == 0;

  rgb[0] = dark ? 0x30 : 0xe0;
  rgb[1] = dark ? 0x60 : 0xe8;
  rgb[2] = dark ? 0x90 : 0xf0;
}

static void
rings_pixel (double  x,
             double  y,
             guint8 *rgb)
{
  double r = hypot (x - 0.5, y - 0.5);
  double wave = 0.5 + 0.5 * cos (r * 60.0);

  rgb[0] = clamp_byte (0.2 + 0.7 * wave);
  rgb[1] = clamp_byte (0.6 * (1.0 - r));
  rgb[2] = clamp_byte (0.3 + 0.5 * (1.0 - wave));
}

static void
plasma_pixel (double  x,
              double  y,
              guint8 *rgb)
{
  double v = sin (x * 10.0) + sin (y * 12.0) + sin ((x + y) * 8.0) + sin (hypot (x - 0.3, y - 0.7) * 14.0);

  rgb[0] = clamp_byte (0.5 + 0.5 * sin (v * G_PI));
  rgb[1] = clamp_byte (0.5 + 0.5 * sin (v * G_PI + 2.0 * G_PI / 3.0));
  rgb[2] = clamp_byte (0.5 + 0.5 * sin (v * G_PI + 4.0 * G_PI / 3.0));
}

/* Different sizes, so that the viewer has something to say about each. */
static const struct
{
  const char *file_name;
  int         width;
  int         height;
  PixelFunc   pixel;
} images[] = {
  { "sunset.png",  320, 240, sunset_pixel },
  { "checker.png", 256, 256, checker_pixel },
  { "rings.png",   300, 200, rings_pixel },
  { "plasma.png",  240, 320, plasma_pixel },
};

static gboolean
write_image (const char *dir,
             guint       i)
{
  int width = images[i].width, height = images[i].height;
  gsize stride = (gsize) width * 3;
  guint8 *pixels = g_malloc (stride * height);
  GBytes *bytes;
  GdkTexture *texture;
  char *path;
  gboolean ok;
  int x, y;

  for (y = 0; y < height; y++)
    for (x = 0; x < width; x++)
      images[i].pixel ((x + 0.5) / width, (y + 0.5) / height, pixels + y * stride + x * 3);

  bytes = g_bytes_new_take (pixels, stride * height);
  texture = gdk_memory_texture_new (width, height, GDK_MEMORY_R8G8B8, bytes, stride);
  path = g_build_filename (dir, images[i].file_name, NULL);
  ok = gdk_texture_save_to_png (texture, path);
  if (!ok)
    g_printerr ("wk-viewer-gen-images: could not write %s\n", path);

  g_free (path);
  g_object_unref (texture);
  g_bytes_unref (bytes);
  return ok;
}

int
main (int   argc,
      char *argv[])
{
  guint i;

  if (argc != 2)
    {
      g_printerr ("Usage: %s OUTDIR\n", argv[0]);
      return 2;
    }

  for (i = 0; i < G_N_ELEMENTS (images); i++)
    if (!write_image (argv[1], i))
      return 1;
  return 0;
}
