//! [`Store`] on Workers KV.

use crate::store::{Store, StoreError};
use worker::kv::KvStore;

pub struct Kv(pub KvStore);

impl Store for Kv {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.0.get(key).bytes().await.map_err(|e| StoreError(e.to_string()))
    }
    async fn put(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        self.0
            .put_bytes(key, value)
            .map_err(|e| StoreError(e.to_string()))?
            .execute()
            .await
            .map_err(|e| StoreError(e.to_string()))
    }
    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.0.delete(key).await.map_err(|e| StoreError(e.to_string()))
    }
}
