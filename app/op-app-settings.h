/* op-app-settings.h: the application's settings that more than one page
 * reads once, at creation, rather than following them. */
#pragma once

#include <glib.h>

#include "op-fdi.h"

G_BEGIN_DECLS

OpNumbering op_app_settings_get_numbering (void);

G_END_DECLS
