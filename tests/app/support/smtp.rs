//! A real SMTP listener on 127.0.0.1 for the email tests: it speaks enough of RFC 5321
//! for lettre, keeps what it receives, and can be told to refuse mail.
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[derive(Clone, Debug)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

#[derive(Clone)]
pub struct SmtpServer {
    pub port: u16,
    pub received: Arc<Mutex<Vec<Received>>>,
    refuse: Arc<Mutex<bool>>,
    freeze: Arc<Mutex<Freeze>>,
}

/// How a hung server behaves: it accepts the connection and then says nothing at all, or
/// greets and then never answers a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Freeze {
    #[default]
    No,
    Silent,
    AfterGreeting,
}

impl SmtpServer {
    pub async fn start() -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind smtp");
        let port = listener.local_addr().expect("addr").port();
        let server = SmtpServer { port, received: Arc::default(), refuse: Arc::default(), freeze: Arc::default() };
        let s = server.clone();
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let s = s.clone();
                tokio::spawn(async move {
                    let _ = s.session(sock).await;
                });
            }
        });
        server
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// While set, every message is refused with a temporary error (451).
    pub fn set_refusing(&self, refuse: bool) {
        *self.refuse.lock().expect("lock") = refuse;
    }

    /// New connections hang as `f` says (held open, never closed by the server).
    pub fn set_frozen(&self, f: Freeze) {
        *self.freeze.lock().expect("lock") = f;
    }

    pub fn messages(&self) -> Vec<Received> {
        self.received.lock().expect("lock").clone()
    }

    async fn session(&self, sock: tokio::net::TcpStream) -> std::io::Result<()> {
        let freeze = *self.freeze.lock().expect("lock");
        let (r, mut w) = sock.into_split();
        let mut lines = BufReader::new(r);
        if freeze == Freeze::Silent {
            // Read and drop whatever comes, answer nothing, keep the connection open.
            let mut sink = String::new();
            while lines.read_line(&mut sink).await? > 0 {}
            return Ok(());
        }
        w.write_all(b"220 fuhua-test ESMTP\r\n").await?;
        if freeze == Freeze::AfterGreeting {
            let mut sink = String::new();
            while lines.read_line(&mut sink).await? > 0 {}
            return Ok(());
        }
        let mut current = Received { from: String::new(), to: vec![], data: String::new() };
        loop {
            let mut line = String::new();
            if lines.read_line(&mut line).await? == 0 {
                return Ok(());
            }
            let upper = line.to_ascii_uppercase();
            if upper.starts_with("EHLO") {
                w.write_all(b"250-fuhua-test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n").await?;
            } else if upper.starts_with("HELO") {
                w.write_all(b"250 fuhua-test\r\n").await?;
            } else if upper.starts_with("MAIL FROM:") {
                if *self.refuse.lock().expect("lock") {
                    w.write_all(b"451 4.3.0 try again later\r\n").await?;
                } else {
                    current = Received { from: line[10..].trim().to_string(), to: vec![], data: String::new() };
                    w.write_all(b"250 OK\r\n").await?;
                }
            } else if upper.starts_with("RCPT TO:") {
                current.to.push(line[8..].trim().trim_matches(['<', '>']).to_string());
                w.write_all(b"250 OK\r\n").await?;
            } else if upper.starts_with("DATA") {
                w.write_all(b"354 go ahead\r\n").await?;
                let mut data = String::new();
                loop {
                    let mut l = String::new();
                    if lines.read_line(&mut l).await? == 0 {
                        return Ok(());
                    }
                    if l == ".\r\n" || l == ".\n" {
                        break;
                    }
                    data.push_str(l.strip_prefix('.').filter(|_| l.starts_with("..")).unwrap_or(&l));
                }
                current.data = data;
                self.received.lock().expect("lock").push(current.clone());
                w.write_all(b"250 OK queued\r\n").await?;
            } else if upper.starts_with("QUIT") {
                w.write_all(b"221 bye\r\n").await?;
                return Ok(());
            } else {
                w.write_all(b"250 OK\r\n").await?;
            }
        }
    }
}

/// Decodes RFC 2047 words (=?utf-8?b?…?=) in a header value.
pub fn decode_header(v: &str) -> String {
    use base64::Engine;
    let mut out = String::new();
    for word in v.split_whitespace() {
        let lower = word.to_ascii_lowercase();
        if lower.starts_with("=?utf-8?b?") && word.ends_with("?=") {
            let b64 = &word[10..word.len() - 2];
            let bytes = base64::engine::general_purpose::STANDARD.decode(b64).unwrap_or_default();
            out.push_str(&String::from_utf8_lossy(&bytes));
        } else {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(word);
        }
    }
    out
}

/// The Subject header of a raw message, decoded (folded lines joined).
pub fn subject(raw: &str) -> String {
    let mut value = String::new();
    let mut in_subject = false;
    for line in raw.lines() {
        if in_subject && (line.starts_with(' ') || line.starts_with('\t')) {
            value.push_str(line.trim());
            continue;
        }
        in_subject = false;
        if let Some(v) = line.strip_prefix("Subject: ") {
            value.push_str(v.trim());
            in_subject = true;
        }
        if line.is_empty() {
            break;
        }
    }
    decode_header(&value.replace("?==?", "?= =?"))
}

/// Every base64 body part, decoded and joined.
pub fn bodies(raw: &str) -> String {
    use base64::Engine;
    let mut out = String::new();
    let mut in_b64 = false;
    let mut chunk = String::new();
    for line in raw.lines() {
        if line.to_ascii_lowercase().starts_with("content-transfer-encoding: base64") {
            in_b64 = true;
            chunk.clear();
            continue;
        }
        if in_b64 {
            if line.starts_with("--") {
                let bytes = base64::engine::general_purpose::STANDARD.decode(chunk.trim()).unwrap_or_default();
                out.push_str(&String::from_utf8_lossy(&bytes));
                out.push('\n');
                in_b64 = false;
            } else if !line.trim().is_empty() || !chunk.is_empty() {
                chunk.push_str(line.trim());
            }
        }
    }
    out
}
