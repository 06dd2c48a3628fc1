//! Who may sign: the transaction envelope, the signer's standing, and the
//! registration and revocation of officer keys by their organisation's admin.

use xianjie_ledger::crypto::{KeyId, PublicKey};
use xianjie_ledger::ids::OrgId;
use xianjie_ledger::model::{Officer, Role};
use xianjie_ledger::state::StateView;
use xianjie_ledger::state::WriteSet;
use xianjie_ledger::tx::{RegisterOfficer, RevokeOfficer, SignedTx};

use crate::error::{ContractError, Result};
use crate::{read, BlockCtx};

/// Checks the parts of a transaction that do not depend on its call: the
/// chain id and the validity window `height ..= height + max_tx_validity_blocks`.
/// The bound on `valid_until` keeps the set of hashes a node must remember
/// for replay protection finite. The signature is the caller's job.
pub fn check_envelope(view: &dyn StateView, ctx: &BlockCtx, tx: &SignedTx) -> Result<()> {
    let body = &tx.tx;
    if body.chain_id != ctx.chain_id {
        return Err(ContractError::WrongChain {
            expected: ctx.chain_id.clone(),
            found: body.chain_id.clone(),
        });
    }
    if ctx.height > body.valid_until {
        return Err(ContractError::Expired {
            valid_until: body.valid_until,
            height: ctx.height,
        });
    }
    let max_valid_until = ctx
        .height
        .saturating_add(read::params_shared(view)?.max_tx_validity_blocks);
    if body.valid_until > max_valid_until {
        return Err(ContractError::ValidityTooLong {
            valid_until: body.valid_until,
            max_valid_until,
        });
    }
    Ok(())
}

/// The officer who signed the transaction, if that key is registered and
/// still active.
pub fn check_signer(view: &dyn StateView, tx: &SignedTx) -> Result<Officer> {
    let signer = tx.signer_id();
    let officer = read::officer(view, &signer)?
        // A key id is a truncated hash; comparing the full key rules out a
        // collision standing in for the registered key.
        .filter(|officer| officer.public_key == tx.tx.signer)
        .ok_or(ContractError::UnknownSigner { signer })?;
    if !officer.active {
        return Err(ContractError::RevokedSigner {
            signer,
            revoked_at: officer.revoked_at,
        });
    }
    Ok(officer)
}

/// The officer with this key id, if it is registered and active
/// (`unknown_signer`, `revoked_signer` otherwise). Used to guard reads.
pub fn active_officer(view: &dyn StateView, id: &KeyId) -> Result<Officer> {
    let officer = read::officer(view, id)?.ok_or(ContractError::UnknownSigner { signer: *id })?;
    if !officer.active {
        return Err(ContractError::RevokedSigner {
            signer: *id,
            revoked_at: officer.revoked_at,
        });
    }
    Ok(officer)
}

/// An admin registers a new key in its own organisation. A key that was
/// ever registered, even if since revoked, cannot be registered again: its
/// record (and the audit trail of what it signed) stays as it is.
pub fn register_officer(
    view: &dyn StateView,
    ctx: &BlockCtx,
    signer: &Officer,
    call: &RegisterOfficer,
) -> Result<WriteSet> {
    require_admin(signer)?;
    let officer = new_officer(view, call.public_key, &signer.org, call.role, ctx.height)?;
    let mut writes = WriteSet::new();
    read::write_officer(&mut writes, &officer);
    Ok(writes)
}

/// The record of a key registered at `height`: refused if the key is not a
/// usable ed25519 point, or was ever registered (even if since revoked).
pub(crate) fn new_officer(
    view: &dyn StateView,
    public_key: PublicKey,
    org: &OrgId,
    role: Role,
    height: u64,
) -> Result<Officer> {
    if !public_key.is_valid() {
        return Err(ContractError::InvalidKey { public_key });
    }
    let id = public_key.id();
    if read::officer(view, &id)?.is_some() {
        return Err(ContractError::OfficerExists { officer: id });
    }
    Ok(Officer {
        id,
        public_key,
        org: org.clone(),
        role,
        active: true,
        registered_at: height,
        revoked_at: None,
    })
}

/// An admin revokes a key of its own organisation, permanently.
///
/// An admin may not revoke itself. The state has no per-organisation index,
/// so the contract cannot tell whether another active admin would remain; a
/// self-revocation could leave the organisation unable ever to register or
/// revoke a key again. A compromised admin key is revoked by a second admin
/// of the same organisation, which is why organisations should register two.
pub fn revoke_officer(
    view: &dyn StateView,
    ctx: &BlockCtx,
    signer: &Officer,
    call: &RevokeOfficer,
) -> Result<WriteSet> {
    require_admin(signer)?;
    let mut officer = read::officer(view, &call.officer)?.ok_or(ContractError::UnknownOfficer {
        officer: call.officer,
    })?;
    if officer.org != signer.org {
        return Err(ContractError::OtherOrg {
            officer: officer.id,
            officer_org: officer.org,
            signer_org: signer.org.clone(),
        });
    }
    if officer.id == signer.id {
        return Err(ContractError::SelfRevocation { officer: signer.id });
    }
    if !officer.active {
        return Err(ContractError::AlreadyRevoked {
            officer: officer.id,
            revoked_at: officer.revoked_at,
        });
    }
    officer.active = false;
    officer.revoked_at = Some(ctx.height);
    let mut writes = WriteSet::new();
    read::write_officer(&mut writes, &officer);
    Ok(writes)
}

pub(crate) fn require_admin(signer: &Officer) -> Result<()> {
    if signer.role == Role::Admin {
        Ok(())
    } else {
        Err(ContractError::NotAdmin {
            signer: signer.id,
            role: signer.role,
        })
    }
}
