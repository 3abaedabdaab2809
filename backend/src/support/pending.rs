//! An answer that comes later: the boxed future the seams' traits return,
//! so each seam can be a trait object (an implementation that answers at
//! once, from memory, and one that asks another process alike).

use std::future::Future;
use std::pin::Pin;

/// An answer, some time later.
pub type Pending<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// An answer that is there already.
pub fn ready<'a, T: Send + 'a>(value: T) -> Pending<'a, T> {
    Box::pin(std::future::ready(value))
}
