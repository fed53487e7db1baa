//! Storage behind a trait: Workers KV in production (`kv_store`), a map in
//! native tests, so the refresh job runs unchanged in both.

use serde::de::DeserializeOwned;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq)]
pub struct StoreError(pub String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "storage: {}", self.0)
    }
}

// Used generically, never as `dyn`; the Worker's futures are not `Send`.
#[allow(async_fn_in_trait)]
pub trait Store {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError>;
    async fn put(&self, key: &str, value: &[u8]) -> Result<(), StoreError>;
    async fn delete(&self, key: &str) -> Result<(), StoreError>;
}

pub async fn get_json<T: DeserializeOwned>(s: &impl Store, key: &str) -> Result<Option<T>, StoreError> {
    match s.get(key).await? {
        None => Ok(None),
        Some(b) => serde_json::from_slice(&b)
            .map(Some)
            .map_err(|e| StoreError(format!("{key}: {e}"))),
    }
}

pub async fn put_json<T: Serialize>(s: &impl Store, key: &str, v: &T) -> Result<(), StoreError> {
    let b = serde_json::to_vec(v).map_err(|e| StoreError(e.to_string()))?;
    s.put(key, &b).await
}

/// An in-memory store, for native tests of everything built on [`Store`].
#[derive(Default)]
pub struct MemStore {
    pub map: std::cell::RefCell<std::collections::BTreeMap<String, Vec<u8>>>,
}

impl Store for MemStore {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.map.borrow().get(key).cloned())
    }
    async fn put(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        self.map.borrow_mut().insert(key.to_string(), value.to_vec());
        Ok(())
    }
    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.map.borrow_mut().remove(key);
        Ok(())
    }
}
