//! CIDR blocks for the `within` operator: `ip within "10.0.0.0/8"`.
//!
//! Written out rather than taken from a crate: parsing and containment are a
//! dozen lines over `std::net`, and the one subtlety — an IPv4 address that
//! reaches the API server over IPv6 is logged as `::ffff:a.b.c.d` — is
//! handled here by comparing such addresses as IPv4.

use std::net::IpAddr;

/// An address block: a network address and a prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    net: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Parses `10.0.0.0/8`, `fd00::/8`, or a single address (`192.0.2.1`,
    /// a /32 or /128). Host bits set below the prefix are an error, so that
    /// `10.1.2.3/8` is not silently read as `10.0.0.0/8`.
    pub fn parse(text: &str) -> Result<Cidr, String> {
        let (addr, prefix) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text, None),
        };
        let net: IpAddr = addr
            .trim()
            .parse()
            .map_err(|_| format!("{text:?} is not an IP address or CIDR block"))?;
        let net = canonical(net);
        let max = if net.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => match p.trim().parse::<u8>() {
                Ok(n) if n <= max => n,
                _ => {
                    return Err(format!(
                        "{text:?}: the prefix length must be a number from 0 to {max}"
                    ))
                }
            },
        };
        let cidr = Cidr { net, prefix };
        if masked(net, prefix) != bits(net) {
            return Err(format!(
                "{text:?} has host bits set; the block is {}/{prefix}",
                cidr.network()
            ));
        }
        Ok(cidr)
    }

    /// The network address (IPv4-mapped IPv6 already read as IPv4) and the
    /// prefix length, for backends that test containment themselves.
    pub fn parts(&self) -> (IpAddr, u8) {
        (self.net, self.prefix)
    }

    /// Is `addr` inside the block? Addresses of the other family never are.
    pub fn contains(&self, addr: IpAddr) -> bool {
        self.contains_canonical(canonical(addr))
    }

    fn contains_canonical(&self, addr: IpAddr) -> bool {
        addr.is_ipv4() == self.net.is_ipv4() && masked(addr, self.prefix) == bits(self.net)
    }

    fn network(&self) -> IpAddr {
        let m = masked(self.net, self.prefix);
        match self.net {
            IpAddr::V4(_) => IpAddr::from((m as u32).to_be_bytes()),
            IpAddr::V6(_) => IpAddr::from(m.to_be_bytes()),
        }
    }
}

/// `::ffff:a.b.c.d` is `a.b.c.d`.
fn canonical(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(addr, IpAddr::V4),
        v4 => v4,
    }
}

fn bits(addr: IpAddr) -> u128 {
    match addr {
        IpAddr::V4(a) => u32::from(a) as u128,
        IpAddr::V6(a) => u128::from(a),
    }
}

fn masked(addr: IpAddr, prefix: u8) -> u128 {
    let width = if addr.is_ipv4() { 32 } else { 128 };
    let host = width - u32::from(prefix);
    let b = bits(addr);
    if host >= 128 {
        0
    } else {
        (b >> host) << host
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn containment() {
        let private = Cidr::parse("10.0.0.0/8").unwrap();
        assert!(private.contains(ip("10.200.3.4")));
        assert!(!private.contains(ip("11.0.0.1")));
        assert!(private.contains(ip("::ffff:10.1.1.1")));
        assert!(!private.contains(ip("fd00::1")));
        let ula = Cidr::parse("fd00::/8").unwrap();
        assert!(ula.contains(ip("fd12::1")));
        assert!(!ula.contains(ip("10.0.0.1")));
        let one = Cidr::parse("192.0.2.7").unwrap();
        assert!(one.contains(ip("192.0.2.7")));
        assert!(!one.contains(ip("192.0.2.8")));
        assert!(Cidr::parse("0.0.0.0/0").unwrap().contains(ip("8.8.8.8")));
        assert!(Cidr::parse("::/0").unwrap().contains(ip("2001:db8::1")));
    }

    #[test]
    fn bad_blocks_are_explained() {
        assert!(Cidr::parse("10.1.2.3/8")
            .unwrap_err()
            .contains("host bits set; the block is 10.0.0.0/8"));
        assert!(Cidr::parse("10.0.0.0/33").unwrap_err().contains("0 to 32"));
        assert!(Cidr::parse("nope").unwrap_err().contains("not an IP"));
    }
}
