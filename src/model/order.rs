//! One sort for the whole app. The standard library's sort is generic over the element type and
//! the comparison, so each call site brings its own copy (about 1 KB each in the browser's
//! module, 40 KB in all before this module); here every sort is a permutation of indices
//! ordered by a comparison given as a trait object: one copy, whatever is sorted. The order is
//! stable (equal elements keep their order).

use std::cmp::Ordering;

/// The one sort: whole numbers (indices, or keys packed into one) by a comparison.
pub fn sort_numbers(v: &mut [usize], cmp: &dyn Fn(usize, usize) -> Ordering) {
    v.sort_unstable_by(|&a, &b| cmp(a, b));
}

/// Whole numbers in ascending order.
pub fn sort_ascending(v: &mut [usize]) {
    sort_numbers(v, &|a, b| a.cmp(&b));
}

/// The indices `0..n` in the order `cmp` gives them (ties by index: stable).
fn permutation(n: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..n).collect();
    sort_numbers(&mut idx, &|a, b| cmp(a, b).then(a.cmp(&b)));
    idx
}

/// Sorts `v` by a comparison, stably.
pub fn sort_by<T>(v: &mut Vec<T>, cmp: impl Fn(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let order = permutation(v.len(), &|a, b| cmp(&v[a], &v[b]));
    let mut slots: Vec<Option<T>> = std::mem::take(v).into_iter().map(Some).collect();
    v.extend(order.into_iter().filter_map(|i| slots.get_mut(i).and_then(Option::take)));
}

/// Sorts `v` by a key, stably.
pub fn sort_by_key<T, K: Ord>(v: &mut Vec<T>, key: impl Fn(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// Sorts `v` in its natural order, stably.
pub fn sort<T: Ord>(v: &mut Vec<T>) {
    sort_by(v, T::cmp);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_like_the_standard_library_and_stably() {
        let mut a = vec![5, 3, 9, 1, 3, 0, 7, 7, 2];
        let mut b = a.clone();
        sort(&mut a);
        b.sort();
        assert_eq!(a, b);
        let mut pairs = vec![(2, 'a'), (1, 'b'), (2, 'c'), (1, 'd'), (0, 'e')];
        sort_by_key(&mut pairs, |p| p.0);
        assert_eq!(pairs, vec![(0, 'e'), (1, 'b'), (1, 'd'), (2, 'a'), (2, 'c')]);
        let mut none: Vec<String> = Vec::new();
        sort(&mut none);
        assert!(none.is_empty());
    }
}
