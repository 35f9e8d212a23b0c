/* Stripe lanes of the coding page: which lane each stripe key (a node, or a coder) is drawn in.
 *
 * One lane per key while there are at most `maxLanes` keys; beyond that, keys whose spans never overlap share
 * a lane, and the rest take lanes round-robin. Spans are [start, end) code-point pairs.
 */

/** The spans sorted and merged where they touch or overlap. */
export function mergedSpans(list) {
  const out = [];
  for (const [start, end] of list.slice().sort((a, b) => a[0] - b[0])) {
    if (out.length && start <= out[out.length - 1][1]) out[out.length - 1][1] = Math.max(out[out.length - 1][1], end);
    else out.push([start, end]);
  }
  return out;
}

/** Whether two merged span lists overlap anywhere. */
export function overlaps(a, b) {
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    if (a[i][0] < b[j][1] && b[j][0] < a[i][1]) return true;
    if (a[i][1] <= b[j][1]) i++;
    else j++;
  }
  return false;
}

/** Map key → lane for `spans` (Map key → spans), keys taken in `order(key)` order. */
export function packLanes(spans, order, maxLanes) {
  const taken = [];
  const result = new Map();
  const ownLanes = spans.size <= maxLanes;
  for (const key of [...spans.keys()].sort((a, b) => order(a) - order(b))) {
    const own = mergedSpans(spans.get(key));
    let lane = ownLanes ? -1 : taken.findIndex((used) => !overlaps(used, own));
    if (lane === -1) lane = taken.length < maxLanes ? taken.length : order(key) % maxLanes;
    taken[lane] = mergedSpans((taken[lane] || []).concat(own));
    result.set(key, lane);
  }
  return result;
}
