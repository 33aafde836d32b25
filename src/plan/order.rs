//! A deterministic topological order: Kahn's algorithm that always picks the ready
//! node with the smallest key, so equal inputs give equal orders.

use std::collections::BTreeSet;

/// Orders the nodes `0..keys.len()` so that for every edge `(a, b)`, `a` comes before
/// `b`. Among nodes that are ready at the same time the smallest key goes first.
/// On a cycle, returns the nodes that could not be ordered.
pub(crate) fn topological<K: Ord + Clone>(
    keys: &[K],
    edges: &BTreeSet<(usize, usize)>,
) -> Result<Vec<usize>, Vec<usize>> {
    let n = keys.len();
    let mut incoming = vec![0usize; n];
    let mut outgoing: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(from, to) in edges {
        if from < n && to < n && from != to {
            incoming[to] += 1;
            outgoing[from].push(to);
        }
    }
    let mut ready: BTreeSet<(K, usize)> = (0..n)
        .filter(|&i| incoming[i] == 0)
        .map(|i| (keys[i].clone(), i))
        .collect();
    let mut order = Vec::with_capacity(n);
    while let Some((key, node)) = ready.pop_first() {
        drop(key);
        order.push(node);
        for &next in &outgoing[node] {
            incoming[next] -= 1;
            if incoming[next] == 0 {
                ready.insert((keys[next].clone(), next));
            }
        }
    }
    if order.len() == n {
        Ok(order)
    } else {
        Err((0..n).filter(|&i| incoming[i] > 0).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smallest_ready_key_goes_first() {
        let keys = ["c", "a", "b"];
        let edges = BTreeSet::from([(0, 1)]);
        // "a" (1) must wait for "c" (0); "b" (2) is ready from the start.
        assert_eq!(topological(&keys, &edges), Ok(vec![2, 0, 1]));
    }

    #[test]
    fn cycles_are_reported() {
        let keys = ["a", "b", "c"];
        let edges = BTreeSet::from([(0, 1), (1, 0), (1, 2)]);
        assert_eq!(topological(&keys, &edges), Err(vec![0, 1, 2]));
    }
}
