//! The server side of SOCKS5 (RFC 1928) with username/password
//! authentication (RFC 1929), CONNECT only: just what the driver speaks
//! when it reaches every member of a deployment through the tunnel.

use std::io;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

const VERSION: u8 = 5;
const USER_PASSWORD: u8 = 2;
const NO_ACCEPTABLE_METHOD: u8 = 0xff;
const CONNECT: u8 = 1;

/// A reply's code (RFC 1928 §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    Succeeded = 0,
    GeneralFailure = 1,
    ConnectionRefused = 5,
    CommandNotSupported = 7,
    AddressTypeNotSupported = 8,
}

/// Where the client asks to go.
#[derive(Debug, PartialEq, Eq)]
pub struct Target {
    pub host: String,
    pub port: u16,
}

/// Greets, authenticates and reads the CONNECT request. A client without
/// the endpoint's credentials gets nothing further.
pub async fn accept<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    user: &str,
    password: &str,
) -> io::Result<Target> {
    let [version, methods] = read_array(stream).await?;
    let methods = read_vec(stream, methods.into()).await?;
    if version != VERSION || !methods.contains(&USER_PASSWORD) {
        stream.write_all(&[VERSION, NO_ACCEPTABLE_METHOD]).await?;
        return Err(refused("the client offered no username/password method"));
    }
    stream.write_all(&[VERSION, USER_PASSWORD]).await?;
    let [_auth_version, user_len] = read_array(stream).await?;
    let given_user = read_vec(stream, user_len.into()).await?;
    let [password_len] = read_array(stream).await?;
    let given_password = read_vec(stream, password_len.into()).await?;
    if given_user != user.as_bytes() || given_password != password.as_bytes() {
        stream.write_all(&[1, 1]).await?;
        return Err(refused("wrong SOCKS credentials"));
    }
    stream.write_all(&[1, 0]).await?;

    let [version, command, _reserved, address_type] = read_array(stream).await?;
    if version != VERSION || command != CONNECT {
        reply(stream, Reply::CommandNotSupported).await?;
        return Err(refused("only CONNECT is served"));
    }
    let host = match address_type {
        1 => std::net::Ipv4Addr::from(read_array::<4, _>(stream).await?).to_string(),
        4 => std::net::Ipv6Addr::from(read_array::<16, _>(stream).await?).to_string(),
        3 => {
            let [len] = read_array(stream).await?;
            String::from_utf8(read_vec(stream, len.into()).await?)
                .map_err(|_| refused("the host name is not UTF-8"))?
        }
        _ => {
            reply(stream, Reply::AddressTypeNotSupported).await?;
            return Err(refused("unknown address type"));
        }
    };
    let port = u16::from_be_bytes(read_array(stream).await?);
    Ok(Target { host, port })
}

/// The answer to a CONNECT; the bound address is not meaningful here.
pub async fn reply<S: AsyncWrite + Unpin>(stream: &mut S, code: Reply) -> io::Result<()> {
    stream
        .write_all(&[VERSION, code as u8, 0, 1, 0, 0, 0, 0, 0, 0])
        .await
}

async fn read_array<const N: usize, S: AsyncRead + Unpin>(stream: &mut S) -> io::Result<[u8; N]> {
    let mut buf = [0; N];
    stream.read_exact(&mut buf).await?;
    Ok(buf)
}

async fn read_vec<S: AsyncRead + Unpin>(stream: &mut S, len: usize) -> io::Result<Vec<u8>> {
    let mut buf = vec![0; len];
    stream.read_exact(&mut buf).await?;
    Ok(buf)
}

fn refused(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::PermissionDenied, message.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn run(client_bytes: &[u8]) -> (io::Result<Target>, Vec<u8>) {
        let (mut client, mut server) = tokio::io::duplex(1024);
        client.write_all(client_bytes).await.unwrap();
        let result = accept(&mut server, "u", "p").await;
        drop(server);
        let mut answer = Vec::new();
        client.read_to_end(&mut answer).await.unwrap();
        (result, answer)
    }

    #[tokio::test]
    async fn a_client_with_the_credentials_gets_its_target() {
        let mut bytes = vec![5, 1, 2, 1, 1, b'u', 1, b'p', 5, 1, 0, 3, 9];
        bytes.extend(b"db1.local");
        bytes.extend(27018u16.to_be_bytes());
        let (target, answer) = run(&bytes).await;
        assert_eq!(
            target.unwrap(),
            Target {
                host: "db1.local".into(),
                port: 27018
            }
        );
        assert_eq!(answer, [5, 2, 1, 0]);
        let (target, _) = run(&[
            5, 1, 2, 1, 1, b'u', 1, b'p', 5, 1, 0, 1, 10, 0, 0, 7, 0x69, 0x89,
        ])
        .await;
        assert_eq!(target.unwrap().host, "10.0.0.7");
    }

    #[tokio::test]
    async fn anyone_else_is_turned_away() {
        let (result, answer) = run(&[5, 1, 0]).await;
        assert!(result.is_err());
        assert_eq!(answer, [5, 0xff], "no anonymous method");
        let (result, answer) = run(&[5, 1, 2, 1, 1, b'u', 1, b'x']).await;
        assert!(result.is_err());
        assert_eq!(answer, [5, 2, 1, 1], "wrong password");
        let (result, answer) = run(&[5, 1, 2, 1, 1, b'u', 1, b'p', 5, 2, 0, 1]).await;
        assert!(result.is_err());
        assert_eq!(&answer[4..6], [5, Reply::CommandNotSupported as u8], "BIND");
    }
}
