//! The keys in use, swappable while serving.
//!
//! Everything derived from the keyring (Flask's signing serializer, the encrypted-cookie
//! ciphers, the session-id signer) is built once per keyring and shared behind one `ArcSwap`:
//! a request takes a snapshot with one atomic load, so a rotation never needs a lock, never
//! restarts anything and never mixes two keyrings within one request.

use std::sync::Arc;

use arc_swap::ArcSwap;
use waxseal::encrypted::EncryptedCookieCodec;
use waxseal::flask::cookie::CookieSettings;
use waxseal::flask::session::FlaskSessionCodec;
use waxseal::secret::Keyring;
use waxseal::{KeyDerivation, Signer};

use crate::config::check_keys;
use crate::Error;

/// The salt of the signed session id of server-side sessions: a different salt from Flask's
/// `cookie-session`, so a session id can never be replayed as a cookie session or vice versa.
pub const SESSION_ID_SALT: &str = "waxseal.session-id";

/// What one keyring gives: its codecs, built once.
pub(crate) struct Codecs {
    pub(crate) keyring: Keyring,
    pub(crate) flask: FlaskSessionCodec,
    pub(crate) encrypted: EncryptedCookieCodec,
    pub(crate) id_signer: Signer,
}

impl Codecs {
    fn new(keyring: Keyring, settings: &CookieSettings) -> Result<Codecs, Error> {
        let mut keys = keyring.keys();
        let current = keys.next().ok_or(Error::MissingKey)?;
        let mut signer = Signer::builder(current.as_bytes())
            .salt(SESSION_ID_SALT)
            .key_derivation(KeyDerivation::Hmac);
        for k in keys {
            signer = signer.fallback_key(k.as_bytes());
        }
        Ok(Codecs {
            flask: FlaskSessionCodec::with_settings(&keyring, settings.clone()),
            encrypted: EncryptedCookieCodec::new(&keyring),
            id_signer: signer
                .build()
                .map_err(|e| Error::Config(format!("session id signer: {e}")))?,
            keyring,
        })
    }
}

/// A cheap, cloneable handle on the keys a [`SessionLayer`](crate::SessionLayer) uses: swap in
/// a rotated keyring while serving, with no restart and no user logged out (cookies signed with
/// a key that became a fallback are still accepted, and re-signed with the new key when next
/// saved).
///
/// ```
/// use waxseal::secret::{KeyPolicy, Keyring, SecretKey};
/// use waxseal_axum::{SessionConfig, SessionLayer};
///
/// let old = SecretKey::from_text("9b2c1f0e8d7a6b5c4d3e2f1a0b9c8d7e");
/// let ring = Keyring::new(old.clone(), vec![], KeyPolicy::RefuseWeak).unwrap();
/// let layer = SessionLayer::new(SessionConfig::builder().keyring(ring).build().unwrap()).unwrap();
/// let handle = layer.keyring();
///
/// let new = SecretKey::from_text("0f1e2d3c4b5a69788796a5b4c3d2e1f0");
/// handle.replace(Keyring::new(new, vec![old], KeyPolicy::RefuseWeak).unwrap()).unwrap();
/// assert_eq!(handle.load().len(), 2);
/// ```
#[derive(Clone)]
pub struct KeyringHandle {
    pub(crate) codecs: Arc<ArcSwap<Codecs>>,
    settings: Arc<CookieSettings>,
    allow_weak_keys: bool,
}

impl std::fmt::Debug for KeyringHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "KeyringHandle({} keys)",
            self.codecs.load().keyring.len()
        )
    }
}

impl KeyringHandle {
    pub(crate) fn new(
        keyring: Keyring,
        settings: Arc<CookieSettings>,
        allow_weak_keys: bool,
    ) -> Result<KeyringHandle, Error> {
        check_keys(&keyring, allow_weak_keys)?;
        let codecs = Codecs::new(keyring, &settings)?;
        Ok(KeyringHandle {
            codecs: Arc::new(ArcSwap::from_pointee(codecs)),
            settings,
            allow_weak_keys,
        })
    }

    /// The keyring in use now.
    pub fn load(&self) -> KeyringSnapshot {
        KeyringSnapshot(self.codecs.load_full())
    }

    /// Swaps in `keyring` for every request that starts from now on; requests in flight finish
    /// with the keys they started with. Weak keys are refused as at construction.
    pub fn replace(&self, keyring: Keyring) -> Result<(), Error> {
        check_keys(&keyring, self.allow_weak_keys)?;
        let codecs = Codecs::new(keyring, &self.settings)?;
        self.codecs.store(Arc::new(codecs));
        Ok(())
    }
}

/// The keyring as it was when [`KeyringHandle::load`] was called; derefs to [`Keyring`].
pub struct KeyringSnapshot(Arc<Codecs>);

impl std::ops::Deref for KeyringSnapshot {
    type Target = Keyring;
    fn deref(&self) -> &Keyring {
        &self.0.keyring
    }
}
