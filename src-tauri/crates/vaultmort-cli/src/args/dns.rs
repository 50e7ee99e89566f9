//! The grammar of practice DNS, in az's words: `network dns zone ...` and `network dns
//! record-set {txt,cname,a} ...`. These zones are what App Service checks a custom domain
//! against; nothing outside Vaultmort resolves them.

use clap::{Args, Subcommand};

use super::appservice::{InGroup, MaybeInGroup, Named};

/// `vaultmort network dns ...`
#[derive(Debug, Subcommand)]
pub enum DnsCommand {
    /// Practice DNS zones (petdash.com).
    #[command(subcommand)]
    Zone(ZoneCommand),
    /// Record sets of a practice zone: TXT, CNAME and A.
    #[command(subcommand)]
    RecordSet(RecordSetCommand),
}

/// `vaultmort network dns zone ...`
#[derive(Debug, Subcommand)]
pub enum ZoneCommand {
    /// Create a zone (a zone name is used once in the installation: practice DNS has one resolver).
    Create(Named),
    /// List zones, of a resource group or of the subscription.
    List(MaybeInGroup),
    /// Show a zone.
    Show(Named),
    /// Delete a zone and its records.
    Delete {
        #[command(flatten)]
        zone: Named,
        /// Accepted for az compatibility; there is no prompt.
        #[arg(short = 'y', long)]
        yes: bool,
    },
}

/// A record set: `-g`, `-z/--zone-name` and `-n/--record-set-name`.
#[derive(Debug, Args, Clone)]
pub struct RecordSetName {
    #[command(flatten)]
    pub group: InGroup,
    /// The zone (petdash.com).
    #[arg(short = 'z', long)]
    pub zone_name: String,
    /// The name relative to the zone: www, asuid.www, or @ for the zone itself.
    #[arg(short = 'n', long)]
    pub record_set_name: String,
}

/// `vaultmort network dns record-set ...`
#[derive(Debug, Subcommand)]
pub enum RecordSetCommand {
    /// TXT records (asuid.<host> proves a domain is yours to App Service).
    #[command(subcommand)]
    Txt(TxtCommand),
    /// CNAME records (a custom domain pointing at <app>.azurewebsites.localhost).
    #[command(subcommand)]
    Cname(CnameCommand),
    /// A records (a custom domain pointing at 127.0.0.1, the practice apps' address).
    #[command(subcommand)]
    A(ACommand),
    /// List every record set of a zone.
    List {
        #[command(flatten)]
        group: InGroup,
        /// The zone.
        #[arg(short = 'z', long)]
        zone_name: String,
    },
}

/// `vaultmort network dns record-set txt ...`
#[derive(Debug, Subcommand)]
pub enum TxtCommand {
    /// Add a text value to a TXT record set (made if needed).
    AddRecord {
        #[command(flatten)]
        set: RecordSetName,
        /// The text.
        #[arg(short = 'v', long)]
        value: String,
        /// Time to live in seconds (3600 by default).
        #[arg(long)]
        ttl: Option<u32>,
    },
    /// Remove a text value; the record set goes when its last value does.
    RemoveRecord {
        #[command(flatten)]
        set: RecordSetName,
        /// The text.
        #[arg(short = 'v', long)]
        value: String,
    },
}

/// `vaultmort network dns record-set cname ...`
#[derive(Debug, Subcommand)]
pub enum CnameCommand {
    /// Set the canonical name of a CNAME record set (made if needed).
    SetRecord {
        #[command(flatten)]
        set: RecordSetName,
        /// The canonical name (petdash.azurewebsites.localhost).
        #[arg(short = 'c', long)]
        cname: String,
        /// Time to live in seconds (3600 by default).
        #[arg(long)]
        ttl: Option<u32>,
    },
    /// Remove the canonical name, and with it the record set.
    RemoveRecord {
        #[command(flatten)]
        set: RecordSetName,
        /// The canonical name.
        #[arg(short = 'c', long)]
        cname: String,
    },
}

/// `vaultmort network dns record-set a ...`
#[derive(Debug, Subcommand)]
pub enum ACommand {
    /// Add an IPv4 address to an A record set (made if needed).
    AddRecord {
        #[command(flatten)]
        set: RecordSetName,
        /// The address (127.0.0.1 for a practice web app).
        #[arg(short = 'a', long)]
        ipv4_address: String,
        /// Time to live in seconds (3600 by default).
        #[arg(long)]
        ttl: Option<u32>,
    },
    /// Remove an address; the record set goes when its last address does.
    RemoveRecord {
        #[command(flatten)]
        set: RecordSetName,
        /// The address.
        #[arg(short = 'a', long)]
        ipv4_address: String,
    },
}
