//! SSH tunnels for profiles behind a bastion: host-key checks against
//! known_hosts, a SOCKS5 endpoint the driver connects through, one SSH
//! channel per driver connection.

pub mod host_keys;
mod socks;
pub mod tunnel;
