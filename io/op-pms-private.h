/* op-pms-private.h: what the HTTP connectors share. */
#pragma once

#include <libsoup/soup.h>

#include "op-pms.h"

G_BEGIN_DECLS

/* A session for one connector: @timeout_s for connecting and for each
 * answer, no proxy from the environment (a PMS is on the practice's own
 * network or a URL the practice gave). */
SoupSession *op__pms_session_new     (guint         timeout_s);

/* Sends one request and reads the whole answer.  @body (may be NULL) is
 * sent as application/json.  @headers: NULL-terminated name, value pairs
 * (may be NULL).  Returns the body with *@out_status, or NULL with a
 * transport error mapped to OP_PMS_ERROR (UNREACHABLE when nothing was
 * sent, TIMEOUT or CONNECTION_LOST when the request may have arrived);
 * G_IO_ERROR_CANCELLED passes through.  An HTTP error status is not an
 * error here: the caller reads it. */
GBytes      *op__pms_http            (SoupSession  *session,
                                      const char   *method,
                                      const char   *url,
                                      const char  **headers,
                                      const char   *body,
                                      guint        *out_status,
                                      GCancellable *cancellable,
                                      GError      **error);

/* Sets @error from an HTTP error @status: 401/403 AUTH, 5xx SERVER,
 * otherwise BAD_REQUEST, with @what and the PMS's own reason from @body
 * (a JSON string, a "message"/"reason" member or an OperationOutcome). */
void         op__pms_status_error    (guint         status,
                                      GBytes       *body,
                                      const char   *what,
                                      GError      **error);

/* The reason the PMS gave in @body, or NULL. */
char        *op__pms_body_reason     (GBytes       *body);

/* @base without a trailing slash, joined to @path. */
char        *op__pms_url             (const char   *base,
                                      const char   *path);

G_END_DECLS
