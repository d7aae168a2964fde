"""What the fault suite checks over Airlock's restarts: the verdicts it had before are still there
after (lost verdicts), every acknowledged override is the one in force and has its audit line,
and every artifact answered 200 belongs to a version whose verdict allows it."""
import calendar
import http.client
import time


class SnapshotFailed(Exception):
    pass


def snapshot(air):
    """Every version's state from the admin listing; raises SnapshotFailed when it cannot be read
    (an empty snapshot would make every later loss invisible)."""
    try:
        st, body = air.api_retrying("GET", "versions?limit=100000")
    except RuntimeError as e:
        raise SnapshotFailed(str(e))
    if st != 200:
        raise SnapshotFailed("versions listing answered %d" % st)
    items = body if isinstance(body, list) else (body or {}).get("versions", [])
    return {"%s:%s@%s" % (i.get("ecosystem"), i.get("name"), i.get("version")): i.get("state") for i in items}


def settled(air, before, wait_s=45):
    """The listing after a restart, once no final verdict looks lost or wait_s has passed.

    The admin listing is served from an index that a background pass re-decides within ~10 s of a
    start, and results committed by the queue but not yet by policy are replayed in the background:
    a verdict counts as lost only if it is still missing when that window is over."""
    deadline = time.time() + wait_s
    after = snapshot(air)
    while lost(before, after) and time.time() < deadline:
        time.sleep(2)
        after = snapshot(air)
    return after


def lost(before, after):
    """Versions that had a final verdict and lost it over a restart."""
    return [k for k, s in before.items() if s in ("allowed", "blocked", "quarantined") and after.get(k) in (None, "pending")]


def lost_overrides_and_audit(air, acknowledged):
    """(overrides not in force, acknowledged overrides without an audit line)."""
    st, audit = air.api_retrying("GET", "audit?limit=100000")
    reasons = {e.get("reason") for e in (audit or {}).get("entries", [])}
    lost_audit = sum(1 for _, _, r in acknowledged if r not in reasons)
    last = {}
    for eco, target, reason in acknowledged:
        last[(eco, target)] = reason
    lost_overrides = 0
    for (eco, target), reason in last.items():
        name, version = target.rsplit("@", 1)
        st, body = air.api_retrying("GET", "packages/%s/%s/%s" % (eco, name, version))
        if ((body or {}).get("override") or {}).get("reason") != reason:
            lost_overrides += 1
    return lost_overrides, lost_audit


def unverdicted(air, served, last_served):
    """Served versions whose verdict does not allow them: ([(eco, name, version, state)], and the
    same for versions whose verdict was decided after their last serve, e.g. held as
    analysis_crashed after two kills during their background analysis: served under the verdict
    before). A serve is stamped when its log line is read, up to ~0.5 s late, so a verdict changed
    within that window counts as unverdicted: the error is on the strict side."""
    bad, changed = [], []
    for eco, name, version in sorted(served):
        st, body = air.api_retrying("GET", "packages/%s/%s/%s" % (eco, name, version))
        state = (body or {}).get("state")
        if state == "allowed":
            continue
        decided = instant((body or {}).get("decidedAt"))
        item = (eco, name, version, state, [x.get("code") for x in (body or {}).get("reasons") or []][:2])
        if state not in (None, "pending") and decided is not None and decided > last_served.get((eco, name, version), 0):
            changed.append(item)
        else:
            bad.append(item)
    return bad, changed


def instant(value):
    """Seconds since the epoch of an ISO-8601 instant (as the admin API writes them), or None."""
    if not isinstance(value, str):
        return None
    try:
        text = value.rstrip("Z")
        whole, _, frac = text.partition(".")
        return calendar.timegm(time.strptime(whole, "%Y-%m-%dT%H:%M:%S")) + (float("0." + frac) if frac else 0.0)
    except ValueError:
        return None


def wait_for_verdicts(air, versions, seconds):
    """Asks for each new version until it has a verdict; the ones still pending after `seconds`."""
    deadline = time.time() + seconds
    left = list(versions)
    while left and time.time() < deadline:
        still = []
        for n in left:
            try:
                air.request("GET", "/npm/" + n, timeout=30)   # a listing asks again for any lost job
                st, body = air.api("GET", "packages/npm/%s/1.0.0" % n)
                if (body or {}).get("state") in (None, "pending"):
                    still.append(n)
            except (OSError, http.client.HTTPException, ValueError):
                still.append(n)
        left = still
        if left:
            time.sleep(5)
    return left
