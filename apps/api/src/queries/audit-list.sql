-- GET /api/v1/audit: audit rows newest first. Parameters: from, to (DateTime64 UTC bounds), action, actor (name or
-- token id), outcome, target ('' = any), beforeAt/beforeId (the cursor: rows strictly before it), limit.
SELECT id, at, actor, actor_id, role, action, target, reason, selection, dry_run, preview, outcome, detail,
       idempotency_key, request_id
FROM audit_log
WHERE at >= {from:DateTime64(3, 'UTC')} AND at <= {to:DateTime64(3, 'UTC')}
  AND ({action:String} = '' OR action = {action:String})
  AND ({actor:String} = '' OR actor = {actor:String} OR actor_id = {actor:String})
  AND ({outcome:String} = '' OR outcome = {outcome:String})
  AND ({target:String} = '' OR target = {target:String})
  AND (at, id) < ({beforeAt:DateTime64(3, 'UTC')}, {beforeId:String})
ORDER BY at DESC, id DESC
LIMIT {limit:UInt32}
