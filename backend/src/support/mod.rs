//! Small pieces every layer may use, naming nothing above them: ids of
//! nodes and connections and the doors ([`ids`]), the clock ([`clock`]),
//! the boxed answers the seams return ([`pending`]), a
//! token bucket with time as data ([`rate`]), word lists ([`words`]) and
//! the metrics an operator watches ([`metrics`]).

pub mod backoff;
pub mod clock;
pub mod ids;
pub mod metrics;
pub mod pending;
pub mod rate;
pub mod words;
