/* op-outbox-private.h: what op-store-approval.c, op-outbox.c and
 * op-outbox-worker.c share.  The caller of a _locked function holds the
 * store's lock (op-store-private.h). */
#pragma once

#include "op-outbox.h"
#include "op-store-private.h"

G_BEGIN_DECLS

/* The hook in op_store_approve: adds the approval's outbox row inside the
 * approval's open transaction, so both commit or neither does.  A plan
 * whose codes cannot be chosen still gets its row, holding the reason, so
 * the case shows it needs attention instead of silently posting nothing. */
gboolean  op__outbox_add_locked     (OpStore          *self,
                                     const OpApproval *approval,
                                     GError          **error);

/* The ids of the pending rows (or @only_id when it is pending), oldest first. */
GArray   *op__outbox_pending_ids    (OpStore     *self,
                                     gint64       only_id,
                                     GError     **error);

/* The row's location id and patient id (through its case). */
gboolean  op__outbox_row_owner      (OpStore     *self,
                                     gint64       id,
                                     gint64      *out_location_id,
                                     gint64      *out_patient_id,
                                     GError     **error);

/* Commits "about to send": in_flight = 1, attempts + 1, the connector and
 * the remote patient, in one synchronous transaction, before the request. */
gboolean  op__outbox_mark_sending   (OpStore     *self,
                                     gint64       id,
                                     const char  *connector,
                                     const char  *remote_patient,
                                     GError     **error);

/* Commits the outcome of a send or a read-back: the remote ids
 * (@n entries, NULL for not posted), the in-flight mark and, when every
 * procedure has its id, the posted state, the case's move from approved to
 * posted and the audit entry, all in one transaction. */
gboolean  op__outbox_record         (OpStore     *self,
                                     gint64       id,
                                     char       **remote_ids,
                                     guint        n,
                                     gboolean     in_flight,
                                     const char  *last_error,
                                     gboolean    *out_posted,
                                     GError     **error);

/* Marks the row needs-attention with @reason (and audits it on the case). */
gboolean  op__outbox_needs_attention (OpStore    *self,
                                      gint64      id,
                                      const char *reason,
                                      gboolean    in_flight,
                                      GError    **error);

/* Remembers a patient link made by the matching rule. */
gboolean  op__outbox_store_link     (OpStore     *self,
                                     gint64       patient_id,
                                     gint64       location_id,
                                     const char  *remote_id,
                                     const char  *confirmed_by,
                                     GError     **error);

/* The key file (op-outbox-settings.c), empty when there is none yet. */
GKeyFile *op__outbox_load_keys      (OpStore     *self,
                                     GError     **error);

G_END_DECLS
