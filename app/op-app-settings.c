/* op-app-settings.c: see op-app-settings.h. */
#include "config.h"

#include <gio/gio.h>

#include "op-app-settings.h"

/* The location's tooth numbering, or FDI when the schema is not installed
 * (it is not in every test) or holds no such key: GSettings aborts on a
 * missing schema, so it is looked up first. */
OpNumbering
op_app_settings_get_numbering (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  OpNumbering numbering = OP_NUMBERING_FDI;

  if (source && (schema = g_settings_schema_source_lookup (source, APP_ID, TRUE)) != NULL &&
      g_settings_schema_has_key (schema, "numbering"))
    {
      g_autoptr(GSettings) settings = g_settings_new (APP_ID);
      g_autofree char *n = g_settings_get_string (settings, "numbering");

      op_numbering_from_string (n, &numbering);
    }
  return numbering;
}
