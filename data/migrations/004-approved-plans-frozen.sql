-- 004-approved-plans-frozen.sql: no new plan version once a case is approved.
--
-- An approval signs one plan version; a plan stored after it would be a
-- plan nobody signed sitting on an approved case.  planner/op-case's
-- op_case_state_accepts_plans() is the rule and io/ checks it before
-- writing; this trigger holds the same line for any writer that forgets,
-- so the database itself refuses.  A change after approval means a new
-- case (or, before approval, a new version and a new review).

CREATE TRIGGER plans_frozen_after_approval BEFORE INSERT ON plans
WHEN (SELECT status FROM cases WHERE id = NEW.case_id) IN ('approved', 'posted', 'archived')
BEGIN
  SELECT RAISE (ABORT, 'the case is approved, posted or archived: its plan cannot change; a new version needs a new approval');
END;
