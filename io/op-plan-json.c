/* op-plan-json.c: the canonical plan JSON, decoded with json-glib. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "op-plan-json.h"

G_DEFINE_QUARK (op-plan-json-error-quark, op_plan_json_error)

/* Each getter names the field by its path in the document. */

static JsonNode *
member (JsonObject  *obj,
        const char  *key,
        const char  *name,
        const char  *path,
        GError     **error)
{
  JsonNode *node = obj ? json_object_get_member (obj, key) : NULL;

  if (node == NULL)
    g_set_error (error, OP_PLAN_JSON_ERROR, OP_PLAN_JSON_ERROR_FIELD,
                 "%s: %s%s%s is missing", name, path, path[0] ? "." : "", key);
  return node;
}

static gboolean
get_number (JsonNode    *node,
            const char  *name,
            const char  *path,
            double      *out,
            GError     **error)
{
  GType t = node && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;

  if (t != G_TYPE_DOUBLE && t != G_TYPE_INT64)
    {
      g_set_error (error, OP_PLAN_JSON_ERROR, OP_PLAN_JSON_ERROR_FIELD,
                   "%s: %s: expected a number", name, path);
      return FALSE;
    }
  *out = json_node_get_double (node);
  if (!isfinite (*out))
    {
      g_set_error (error, OP_PLAN_JSON_ERROR, OP_PLAN_JSON_ERROR_FIELD,
                   "%s: %s: not a finite number", name, path);
      return FALSE;
    }
  return TRUE;
}

static gboolean
get_int (JsonNode    *node,
         const char  *name,
         const char  *path,
         gint64       min,
         gint64       max,
         gint64      *out,
         GError     **error)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    {
      g_set_error (error, OP_PLAN_JSON_ERROR, OP_PLAN_JSON_ERROR_FIELD,
                   "%s: %s: expected a whole number", name, path);
      return FALSE;
    }
  *out = json_node_get_int (node);
  if (*out < min || *out > max)
    {
      g_set_error (error, OP_PLAN_JSON_ERROR, OP_PLAN_JSON_ERROR_FIELD,
                   "%s: %s: %" G_GINT64_FORMAT " is out of range (%" G_GINT64_FORMAT " to %" G_GINT64_FORMAT ")",
                   name, path, *out, min, max);
      return FALSE;
    }
  return TRUE;
}

static gboolean
get_string (JsonNode    *node,
            const char  *name,
            const char  *path,
            gboolean     nullable,
            const char **out,
            GError     **error)
{
  if (node != NULL && nullable && JSON_NODE_HOLDS_NULL (node))
    {
      *out = NULL;
      return TRUE;
    }
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, OP_PLAN_JSON_ERROR, OP_PLAN_JSON_ERROR_FIELD,
                   "%s: %s: expected a string", name, path);
      return FALSE;
    }
  *out = json_node_get_string (node);
  return TRUE;
}

static JsonObject *
get_object (JsonNode    *node,
            const char  *name,
            const char  *path,
            GError     **error)
{
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, OP_PLAN_JSON_ERROR, OP_PLAN_JSON_ERROR_FIELD,
                   "%s: %s: expected an object", name, path);
      return NULL;
    }
  return json_node_get_object (node);
}

static JsonArray *
get_array (JsonNode    *node,
           const char  *name,
           const char  *path,
           GError     **error)
{
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, OP_PLAN_JSON_ERROR, OP_PLAN_JSON_ERROR_FIELD,
                   "%s: %s: expected an array", name, path);
      return NULL;
    }
  return json_node_get_array (node);
}

static gboolean
get_movement (JsonNode    *node,
              const char  *name,
              const char  *path,
              OpMovement  *out,
              GError     **error)
{
  JsonObject *obj = get_object (node, name, path, error);

  if (obj == NULL)
    return FALSE;
  for (guint c = 0; c < OP_N_COMPONENTS; c++)
    {
      const char *key = op_component_to_string (c);
      g_autofree char *sub = g_strdup_printf ("%s.%s", path, key);
      JsonNode *n = member (obj, key, name, path, error);
      double v;

      if (n == NULL || !get_number (n, name, sub, &v, error))
        return FALSE;
      op_movement_set (out, c, v);
    }
  if (json_object_get_size (obj) != OP_N_COMPONENTS)
    {
      g_set_error (error, OP_PLAN_JSON_ERROR, OP_PLAN_JSON_ERROR_FIELD,
                   "%s: %s: only md, bl, vert, rot, tip and torque are allowed", name, path);
      return FALSE;
    }
  return TRUE;
}

static gboolean
get_vec3 (JsonNode    *node,
          const char  *name,
          const char  *path,
          double       out[3],
          GError     **error)
{
  JsonArray *a = get_array (node, name, path, error);

  if (a == NULL)
    return FALSE;
  if (json_array_get_length (a) != 3)
    {
      g_set_error (error, OP_PLAN_JSON_ERROR, OP_PLAN_JSON_ERROR_FIELD,
                   "%s: %s: expected three numbers", name, path);
      return FALSE;
    }
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *sub = g_strdup_printf ("%s[%u]", path, i);

      if (!get_number (json_array_get_element (a, i), name, sub, &out[i], error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
get_vec3f (JsonNode    *node,
           const char  *name,
           const char  *path,
           float        out[3],
           GError     **error)
{
  double d[3];

  if (!get_vec3 (node, name, path, d, error))
    return FALSE;
  for (int i = 0; i < 3; i++)
    out[i] = (float) d[i];
  return TRUE;
}

static gboolean
decode_teeth (JsonArray    *teeth,
              const char   *name,
              GArray       *out,
              GError      **error)
{
  for (guint i = 0; i < json_array_get_length (teeth); i++)
    {
      g_autofree char *path = g_strdup_printf ("teeth[%u]", i);
      g_autofree char *p_origin = g_strdup_printf ("%s.origin", path);
      g_autofree char *p_mesial = g_strdup_printf ("%s.mesial", path);
      g_autofree char *p_buccal = g_strdup_printf ("%s.buccal", path);
      g_autofree char *p_occlusal = g_strdup_printf ("%s.occlusal", path);
      g_autofree char *p_target = g_strdup_printf ("%s.target", path);
      g_autofree char *p_fdi = g_strdup_printf ("%s.fdi", path);
      g_autofree char *p_locked = g_strdup_printf ("%s.locked", path);
      JsonObject *obj = get_object (json_array_get_element (teeth, i), name, path, error);
      OpPlanTooth t = { 0 };
      JsonNode *n;
      gint64 fdi;

      if (obj == NULL)
        return FALSE;
      if (!(n = member (obj, "fdi", name, path, error)) || !get_int (n, name, p_fdi, 11, 48, &fdi, error))
        return FALSE;
      if (!op_fdi_is_valid ((int) fdi))
        {
          g_set_error (error, OP_PLAN_JSON_ERROR, OP_PLAN_JSON_ERROR_FIELD,
                       "%s: %s: %" G_GINT64_FORMAT " is not an FDI tooth number", name, p_fdi, fdi);
          return FALSE;
        }
      t.fdi = (int) fdi;
      if (!(n = member (obj, "locked", name, path, error)))
        return FALSE;
      if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_BOOLEAN)
        {
          g_set_error (error, OP_PLAN_JSON_ERROR, OP_PLAN_JSON_ERROR_FIELD,
                       "%s: %s: expected true or false", name, p_locked);
          return FALSE;
        }
      t.locked = json_node_get_boolean (n);
      if (!(n = member (obj, "origin", name, path, error)) || !get_vec3f (n, name, p_origin, t.frame.origin, error) ||
          !(n = member (obj, "mesial", name, path, error)) || !get_vec3f (n, name, p_mesial, t.frame.mesial, error) ||
          !(n = member (obj, "buccal", name, path, error)) || !get_vec3f (n, name, p_buccal, t.frame.buccal, error) ||
          !(n = member (obj, "occlusal", name, path, error)) ||
          !get_vec3f (n, name, p_occlusal, t.frame.occlusal, error) ||
          !(n = member (obj, "target", name, path, error)) || !get_movement (n, name, p_target, &t.target, error))
        return FALSE;
      if (out->len > 0 && g_array_index (out, OpPlanTooth, out->len - 1).fdi >= t.fdi)
        {
          g_set_error (error, OP_PLAN_JSON_ERROR, OP_PLAN_JSON_ERROR_FIELD,
                       "%s: %s: tooth %d is repeated or out of FDI order", name, p_fdi, t.fdi);
          return FALSE;
        }
      g_array_append_val (out, t);
    }
  return TRUE;
}

static gboolean
decode_stages (JsonArray   *stages,
               const char  *name,
               OpPlan      *plan,
               GError     **error)
{
  for (guint s = 0; s < plan->n_stages; s++)
    {
      g_autofree char *path = g_strdup_printf ("stages[%u]", s);
      g_autofree char *p_stage = g_strdup_printf ("%s.stage", path);
      g_autofree char *p_teeth = g_strdup_printf ("%s.teeth", path);
      JsonObject *obj = get_object (json_array_get_element (stages, s), name, path, error);
      JsonObject *teeth;
      JsonNode *n;
      gint64 index;

      if (obj == NULL || !(n = member (obj, "stage", name, path, error)) ||
          !get_int (n, name, p_stage, 0, G_MAXINT, &index, error))
        return FALSE;
      if (index != s)
        {
          g_set_error (error, OP_PLAN_JSON_ERROR, OP_PLAN_JSON_ERROR_FIELD,
                       "%s: %s: stage %" G_GINT64_FORMAT " found where stage %u belongs", name, p_stage, index, s);
          return FALSE;
        }
      if (!(n = member (obj, "teeth", name, path, error)) || !(teeth = get_object (n, name, p_teeth, error)))
        return FALSE;
      if (json_object_get_size (teeth) != plan->n_teeth)
        {
          g_set_error (error, OP_PLAN_JSON_ERROR, OP_PLAN_JSON_ERROR_FIELD,
                       "%s: %s: %u teeth, but the plan lists %u", name, p_teeth,
                       json_object_get_size (teeth), plan->n_teeth);
          return FALSE;
        }
      for (guint t = 0; t < plan->n_teeth; t++)
        {
          g_autofree char *key = g_strdup_printf ("%d", plan->teeth[t].fdi);
          g_autofree char *p_tooth = g_strdup_printf ("%s.%s", p_teeth, key);

          if (!(n = member (teeth, key, name, p_teeth, error)) ||
              !get_movement (n, name, p_tooth, op_plan_pose (plan, s, t), error))
            return FALSE;
        }
    }
  return TRUE;
}

static gboolean
decode_ipr (JsonArray *array, const char *name, OpPlan *plan, GError **error)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autofree char *path = g_strdup_printf ("ipr[%u]", i);
      g_autofree char *pa = g_strdup_printf ("%s.a", path), *pb = g_strdup_printf ("%s.b", path);
      g_autofree char *pm = g_strdup_printf ("%s.amount_mm", path), *ps = g_strdup_printf ("%s.stage", path);
      JsonObject *obj = get_object (json_array_get_element (array, i), name, path, error);
      JsonNode *n;
      gint64 a, b, stage;
      double amount;

      if (obj == NULL ||
          !(n = member (obj, "a", name, path, error)) || !get_int (n, name, pa, 11, 48, &a, error) ||
          !(n = member (obj, "b", name, path, error)) || !get_int (n, name, pb, 11, 48, &b, error) ||
          !(n = member (obj, "amount_mm", name, path, error)) || !get_number (n, name, pm, &amount, error) ||
          !(n = member (obj, "stage", name, path, error)) || !get_int (n, name, ps, 0, G_MAXINT, &stage, error))
        return FALSE;
      op_plan_add_ipr (plan, (int) a, (int) b, amount, (guint) stage);
    }
  return TRUE;
}

static gboolean
decode_attachments (JsonArray *array, const char *name, OpPlan *plan, GError **error)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autofree char *path = g_strdup_printf ("attachments[%u]", i);
      g_autofree char *pf = g_strdup_printf ("%s.fdi", path), *pt = g_strdup_printf ("%s.type", path);
      g_autofree char *pl = g_strdup_printf ("%s.length_mm", path), *pw = g_strdup_printf ("%s.width_mm", path);
      g_autofree char *pd = g_strdup_printf ("%s.depth_mm", path), *pp = g_strdup_printf ("%s.position", path);
      g_autofree char *ps = g_strdup_printf ("%s.stage", path);
      JsonObject *obj = get_object (json_array_get_element (array, i), name, path, error);
      OpPlanAttachment at = { 0 };
      const char *type;
      JsonNode *n;
      gint64 fdi, stage;

      if (obj == NULL ||
          !(n = member (obj, "fdi", name, path, error)) || !get_int (n, name, pf, 11, 48, &fdi, error) ||
          !(n = member (obj, "type", name, path, error)) || !get_string (n, name, pt, FALSE, &type, error) ||
          !(n = member (obj, "length_mm", name, path, error)) || !get_number (n, name, pl, &at.length_mm, error) ||
          !(n = member (obj, "width_mm", name, path, error)) || !get_number (n, name, pw, &at.width_mm, error) ||
          !(n = member (obj, "depth_mm", name, path, error)) || !get_number (n, name, pd, &at.depth_mm, error) ||
          !(n = member (obj, "position", name, path, error)) || !get_vec3 (n, name, pp, at.position, error) ||
          !(n = member (obj, "stage", name, path, error)) || !get_int (n, name, ps, 0, G_MAXINT, &stage, error))
        return FALSE;
      if (!op_plan_attachment_type_from_string (type, &at.type))
        {
          g_set_error (error, OP_PLAN_JSON_ERROR, OP_PLAN_JSON_ERROR_FIELD,
                       "%s: %s: \"%s\" is not rect-vertical, rect-horizontal or power-ridge", name, pt, type);
          return FALSE;
        }
      at.fdi = (int) fdi;
      at.stage = (guint) stage;
      op_plan_add_attachment (plan, &at);
    }
  return TRUE;
}

static gboolean
decode_warnings (JsonArray *array, const char *name, OpPlan *plan, GError **error)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autofree char *path = g_strdup_printf ("warnings[%u]", i);
      g_autofree char *pc = g_strdup_printf ("%s.code", path), *pa = g_strdup_printf ("%s.a", path);
      g_autofree char *pb = g_strdup_printf ("%s.b", path), *ps = g_strdup_printf ("%s.stage", path);
      g_autofree char *pm = g_strdup_printf ("%s.message", path);
      JsonObject *obj = get_object (json_array_get_element (array, i), name, path, error);
      const char *code, *message;
      JsonNode *n;
      gint64 a, b, stage;

      if (obj == NULL ||
          !(n = member (obj, "code", name, path, error)) || !get_string (n, name, pc, FALSE, &code, error) ||
          !(n = member (obj, "a", name, path, error)) || !get_int (n, name, pa, 0, 48, &a, error) ||
          !(n = member (obj, "b", name, path, error)) || !get_int (n, name, pb, 0, 48, &b, error) ||
          !(n = member (obj, "stage", name, path, error)) || !get_int (n, name, ps, -1, G_MAXINT, &stage, error) ||
          !(n = member (obj, "message", name, path, error)) || !get_string (n, name, pm, FALSE, &message, error))
        return FALSE;
      op_plan_add_warning (plan, code, (int) a, (int) b, (int) stage, "%s", message);
    }
  return TRUE;
}

OpPlan *
op_plan_decode (const char  *data,
                gsize        length,
                const char  *name,
                GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local = NULL;
  g_autoptr(GArray) teeth = g_array_new (FALSE, TRUE, sizeof (OpPlanTooth));
  g_autoptr(OpPlan) plan = NULL;
  JsonObject *root;
  JsonArray *teeth_a, *stages_a, *ipr_a, *att_a, *warn_a;
  JsonNode *n;
  const char *strategy, *explanation;
  gint64 format;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (name == NULL)
    name = "plan";
  if (!json_parser_load_from_data (parser, data, (gssize) length, &local))
    {
      g_set_error (error, OP_PLAN_JSON_ERROR, OP_PLAN_JSON_ERROR_PARSE, "%s: %s", name, local->message);
      return NULL;
    }
  if (!(root = get_object (json_parser_get_root (parser), name, "(top level)", error)))
    return NULL;

  if (!(n = member (root, "format", name, "", error)) ||
      !get_int (n, name, "format", OP_PLAN_FORMAT_VERSION, OP_PLAN_FORMAT_VERSION, &format, error))
    return NULL;
  if (!(n = member (root, "teeth", name, "", error)) || !(teeth_a = get_array (n, name, "teeth", error)) ||
      !decode_teeth (teeth_a, name, teeth, error))
    return NULL;
  if (!(n = member (root, "stages", name, "", error)) || !(stages_a = get_array (n, name, "stages", error)))
    return NULL;
  if (json_array_get_length (stages_a) == 0)
    {
      g_set_error (error, OP_PLAN_JSON_ERROR, OP_PLAN_JSON_ERROR_FIELD,
                   "%s: stages: there must be at least stage 0, the initial position", name);
      return NULL;
    }

  plan = op_plan_new ((OpPlanTooth *) teeth->data, teeth->len, json_array_get_length (stages_a));
  if (!(n = member (root, "strategy", name, "", error)) || !get_string (n, name, "strategy", FALSE, &strategy, error))
    return NULL;
  if (!op_stage_strategy_from_string (strategy, &plan->strategy))
    {
      g_set_error (error, OP_PLAN_JSON_ERROR, OP_PLAN_JSON_ERROR_FIELD,
                   "%s: strategy: \"%s\" is not together, posterior-first or anterior-first", name, strategy);
      return NULL;
    }
  if (!(n = member (root, "limits", name, "", error)) || !get_movement (n, name, "limits", &plan->limits, error) ||
      !(n = member (root, "comfort", name, "", error)) || !get_movement (n, name, "comfort", &plan->comfort, error))
    return NULL;
  if (!decode_stages (stages_a, name, plan, error))
    return NULL;
  if (!(n = member (root, "ipr", name, "", error)) || !(ipr_a = get_array (n, name, "ipr", error)) ||
      !decode_ipr (ipr_a, name, plan, error))
    return NULL;
  if (!(n = member (root, "attachments", name, "", error)) ||
      !(att_a = get_array (n, name, "attachments", error)) || !decode_attachments (att_a, name, plan, error))
    return NULL;
  if (!(n = member (root, "warnings", name, "", error)) || !(warn_a = get_array (n, name, "warnings", error)) ||
      !decode_warnings (warn_a, name, plan, error))
    return NULL;
  if (!(n = member (root, "explanation", name, "", error)) ||
      !get_string (n, name, "explanation", TRUE, &explanation, error))
    return NULL;
  plan->explanation = g_strdup (explanation);
  return g_steal_pointer (&plan);
}

OpPlan *
op_plan_load_file (const char  *path,
                   GError     **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *base = NULL;
  g_autoptr(GError) local = NULL;
  gsize len = 0;

  g_return_val_if_fail (path != NULL, NULL);

  base = g_path_get_basename (path);
  if (!g_file_get_contents (path, &contents, &len, &local))
    {
      g_set_error (error, OP_PLAN_JSON_ERROR, OP_PLAN_JSON_ERROR_READ, "%s: %s", base, local->message);
      return NULL;
    }
  return op_plan_decode (contents, len, base, error);
}

gboolean
op_plan_save_file (const OpPlan  *plan,
                   const char    *path,
                   GError       **error)
{
  g_autoptr(GBytes) bytes = NULL;
  gsize len;
  const char *data;

  g_return_val_if_fail (plan != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  bytes = op_plan_encode (plan);
  data = g_bytes_get_data (bytes, &len);
  /* g_file_set_contents writes a temporary file and renames it. */
  return g_file_set_contents (path, data, (gssize) len, error);
}

/* A string member, or NULL when it is missing; anything else is an error. */
static gboolean
request_string (JsonObject  *obj,
                const char  *key,
                const char  *name,
                const char **out,
                GError     **error)
{
  JsonNode *node = json_object_get_member (obj, key);

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, OP_PLAN_JSON_ERROR, OP_PLAN_JSON_ERROR_FIELD,
                   "%s: %s is not a string", name, key);
      return FALSE;
    }
  *out = json_node_get_string (node);
  return TRUE;
}

OpPlanRequest *
op_plan_request_decode (const char  *parameters,
                        const char  *name,
                        GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(OpPlanRequest) request = op_plan_request_new ();
  g_autoptr(GError) local = NULL;
  JsonNode *root;
  JsonObject *obj;
  JsonNode *targets;
  const char *text;

  g_return_val_if_fail (parameters != NULL && name != NULL, NULL);

  if (!json_parser_load_from_data (parser, parameters, -1, &local))
    {
      g_set_error (error, OP_PLAN_JSON_ERROR, OP_PLAN_JSON_ERROR_PARSE, "%s: %s", name, local->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, OP_PLAN_JSON_ERROR, OP_PLAN_JSON_ERROR_FIELD, "%s: not a JSON object", name);
      return NULL;
    }
  obj = json_node_get_object (root);

  /* The planner's parsers check the texts; their messages get the name
   * of the version in front. */
  if (!request_string (obj, "strategy", name, &text, error))
    return NULL;
  if (text != NULL && !op_plan_request_set_strategy_text (request, "strategy", text, &local))
    goto bad_text;
  if (!request_string (obj, "limits", name, &text, error))
    return NULL;
  if (text != NULL && !op_movement_parse ("limits", text, &request->limits, NULL, &local))
    goto bad_text;
  if (!request_string (obj, "lock", name, &text, error))
    return NULL;
  if (text != NULL && !op_plan_request_add_lock_text (request, "lock", text, &local))
    goto bad_text;

  targets = json_object_get_member (obj, "targets");
  if (targets != NULL && !JSON_NODE_HOLDS_NULL (targets))
    {
      JsonArray *array;

      if (!JSON_NODE_HOLDS_ARRAY (targets))
        {
          g_set_error (error, OP_PLAN_JSON_ERROR, OP_PLAN_JSON_ERROR_FIELD, "%s: targets is not a list", name);
          return NULL;
        }
      array = json_node_get_array (targets);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *item = json_array_get_element (array, i);
          g_autofree char *field = g_strdup_printf ("targets[%u]", i);

          if (!JSON_NODE_HOLDS_VALUE (item) || json_node_get_value_type (item) != G_TYPE_STRING)
            {
              g_set_error (error, OP_PLAN_JSON_ERROR, OP_PLAN_JSON_ERROR_FIELD,
                           "%s: %s is not a string", name, field);
              return NULL;
            }
          if (!op_plan_request_add_target_text (request, field, json_node_get_string (item), &local))
            goto bad_text;
        }
    }
  return g_steal_pointer (&request);

bad_text:
  g_set_error (error, OP_PLAN_JSON_ERROR, OP_PLAN_JSON_ERROR_FIELD, "%s: %s", name, local->message);
  return NULL;
}
