//! Bulletins (通报): a procuratorate or a people's government office
//! anchors the digest of a statistics table ([`crate::stats`]) with the
//! height and scope it was computed at.
//!
//! Built-in rules: the signer's organisation is a procuratorate or a
//! government office (`wrong_org_kind`: both supervise the linkage work,
//! DOMAIN §a `PROC` and `GOV_SUPERIOR`; SC-Transfer Arts 14–17); the scope is well formed (`invalid_field`) and
//! names a member organisation if any (`unknown_org`); the height is
//! committed, i.e. below the block being built (`bulletin_height_ahead`).
//! Then the policy set must permit `publish-bulletin` on the scope
//! (`policy_denied`; by default a procuratorate or a government office
//! publishes its own region's slice).
//!
//! The contract does not recompute the table: execution sees only the
//! latest state, not the state at `height`. Checking a bulletin is
//! recomputing the table at its height with its scope and comparing
//! digests, which any node or verifier can do.
//!
//! Stored under `bulletin/<id>` (id `BUL-` and 16 hex characters of the
//! transaction hash) and listed in `index/bulletin/all`.

use xianjie_ledger::hash::Hash;
use xianjie_ledger::model::{Officer, OrgKind};
use xianjie_ledger::state::{keys, StateView, WriteSet};
use xianjie_ledger::stats::Bulletin;
use xianjie_ledger::tx::PublishBulletin;

use crate::error::{ContractError, Result};
use crate::overlay::Overlay;
use crate::policy::{self, Action, Resource};
use crate::{index, read, stats, BlockCtx};

/// The kinds of organisation that publish bulletins: the supervisors of the
/// linkage work.
const PUBLISHERS: [OrgKind; 2] = [OrgKind::Procuratorate, OrgKind::GovernmentOffice];

/// Prefix of bulletin ids.
pub const BULLETIN_ID_PREFIX: &str = "BUL-";

/// The id of the bulletin published by a transaction: `BUL-` and the first
/// 8 bytes of its hash in lower-case hex.
pub fn bulletin_id_for(tx_hash: &Hash) -> String {
    format!("{BULLETIN_ID_PREFIX}{}", &tx_hash.to_hex()[..16])
}

/// A published bulletin.
pub fn bulletin(view: &dyn StateView, id: &str) -> Result<Option<Bulletin>> {
    if !id.starts_with(BULLETIN_ID_PREFIX) || id.len() > 32 {
        return Ok(None);
    }
    read::record(view, &keys::bulletin(id))
}

/// Every published bulletin id, in publication order.
pub fn bulletins(view: &dyn StateView) -> Result<Vec<String>> {
    index::text_entries(view, keys::index::BULLETINS)
}

/// Records a bulletin; see the module documentation for the rules.
pub fn publish(
    view: &dyn StateView,
    ctx: &BlockCtx,
    signer: &Officer,
    tx_hash: &Hash,
    call: &PublishBulletin,
) -> Result<WriteSet> {
    let org = read::org(view, &signer.org)?.ok_or_else(|| ContractError::CorruptState {
        key: format!("org/{}", signer.org),
        reason: "an officer's organisation is missing".into(),
    })?;
    if !PUBLISHERS.contains(&org.kind) {
        return Err(ContractError::WrongOrgKind {
            action: "publish-bulletin".into(),
            kind: org.kind,
            expected: "a procuratorate or a government office".into(),
        });
    }
    stats::check_scope(&call.scope)?;
    if let Some(named) = &call.scope.org {
        if read::org(view, named)?.is_none() {
            return Err(ContractError::UnknownOrg { org: named.clone() });
        }
    }
    let last = ctx.height.saturating_sub(1);
    if call.height > last {
        return Err(ContractError::BulletinHeightAhead {
            height: call.height,
            last,
        });
    }
    policy::authorize(
        &ctx.policies,
        view,
        signer,
        Action::PublishBulletin,
        Resource::StatsScope(&call.scope),
    )?;
    let id = bulletin_id_for(tx_hash);
    let record = Bulletin {
        id: id.clone(),
        height: call.height,
        scope: call.scope.clone(),
        digest: call.digest,
        publisher: signer.org.clone(),
        officer: signer.id,
        published_height: ctx.height,
        published_at_ms: ctx.time_ms,
        tx: *tx_hash,
    };
    let mut stage = Overlay::new(view);
    read::put(&mut stage, keys::bulletin(&id), &record);
    index::insert(&mut stage, keys::index::BULLETINS, id.as_bytes())?;
    Ok(stage.into_writes())
}
