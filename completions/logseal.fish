# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_logseal_global_optspecs
    string join \n h/help V/version
end

function __fish_logseal_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_logseal_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_logseal_using_subcommand
    set -l cmd (__fish_logseal_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c logseal -n "__fish_logseal_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c logseal -n "__fish_logseal_needs_command" -s V -l version -d 'Print version'
complete -c logseal -n "__fish_logseal_needs_command" -f -a "keygen" -d 'Generate an Ed25519 key pair (signed-note key strings)'
complete -c logseal -n "__fish_logseal_needs_command" -f -a "record" -d 'Create and inspect single signed records'
complete -c logseal -n "__fish_logseal_needs_command" -f -a "demo" -d 'Run the built-in scenario (a log, its audit, a rewrite, a restore) in a new directory'
complete -c logseal -n "__fish_logseal_needs_command" -f -a "init" -d 'Create a log directory'
complete -c logseal -n "__fish_logseal_needs_command" -f -a "append" -d 'Append records to a log (atomically, one batch)'
complete -c logseal -n "__fish_logseal_needs_command" -f -a "checkpoint" -d 'Sign and publish a checkpoint of the log\'s current size'
complete -c logseal -n "__fish_logseal_needs_command" -f -a "rotate-log-key" -d 'Rotate the log\'s signing key (a checkpoint signed by the old and the new key)'
complete -c logseal -n "__fish_logseal_needs_command" -f -a "prove" -d 'Produce and check inclusion and consistency proofs'
complete -c logseal -n "__fish_logseal_needs_command" -f -a "info" -d 'Show a log\'s origin, size, checkpoints (latest and published history), producers and keys'
complete -c logseal -n "__fish_logseal_needs_command" -f -a "recover" -d 'Rebuild a private part restored from an older backup from the public part'
complete -c logseal -n "__fish_logseal_needs_command" -f -a "verify" -d 'Verify a log: completeness, ordering, authenticity and authorisation'
complete -c logseal -n "__fish_logseal_needs_command" -f -a "watch" -d 'Monitor a served log: verify each new checkpoint incrementally, alert on a violation'
complete -c logseal -n "__fish_logseal_needs_command" -f -a "mirror" -d 'Copy a log\'s public part between a directory and a bucket, verifying it as it goes'
complete -c logseal -n "__fish_logseal_needs_command" -f -a "witness" -d 'Act as an offline witness: cosign checkpoints that extend the last one cosigned'
complete -c logseal -n "__fish_logseal_needs_command" -f -a "tlog" -d 'Verify and prove any C2SP tlog-tiles log of opaque entries (not only logseal\'s)'
complete -c logseal -n "__fish_logseal_needs_command" -f -a "retention" -d 'Retention: plan, sweep (erase what is due), erase on request, legal holds'
complete -c logseal -n "__fish_logseal_needs_command" -f -a "trust" -d 'Write an auditor\'s trust file from keys and options'
complete -c logseal -n "__fish_logseal_needs_command" -f -a "show" -d 'Show one record of a log: decoded, authenticated, its chain and references'
complete -c logseal -n "__fish_logseal_needs_command" -f -a "log" -d 'List a log\'s records, one line each, filtered over public fields'
complete -c logseal -n "__fish_logseal_needs_command" -f -a "grep" -d 'Search the public fields of a log\'s records for a text'
complete -c logseal -n "__fish_logseal_needs_command" -f -a "checkpoints" -d 'List every published checkpoint of a log: size, time, root, cosigners'
complete -c logseal -n "__fish_logseal_needs_command" -f -a "subject" -d 'Find every record whose sealed field opens to one value (on site; itself logged)'
complete -c logseal -n "__fish_logseal_needs_command" -f -a "export" -d 'Export an evidence bundle: selected records, what they depend on, proofs, one file'
complete -c logseal -n "__fish_logseal_needs_command" -f -a "bundle" -d 'Evidence bundles: verify one offline'
complete -c logseal -n "__fish_logseal_needs_command" -f -a "tui" -d 'Inspect and verify a log or a bundle at a terminal: records, detail, proofs, findings'
complete -c logseal -n "__fish_logseal_needs_command" -f -a "report" -d 'Supervisory statistics of a log, its DSA Transparency Database export and reconciliation'
complete -c logseal -n "__fish_logseal_needs_command" -f -a "serve" -d 'Serve the log over HTTP: the tlog-tiles read API, appends, proofs, checkpoints'
complete -c logseal -n "__fish_logseal_needs_command" -f -a "bench" -d 'Measure append and verify against the signature ceiling on a generated log'
complete -c logseal -n "__fish_logseal_using_subcommand keygen" -l name -d 'Key name, as it appears in key strings and note signatures (no spaces, no \'+\')' -r
complete -c logseal -n "__fish_logseal_using_subcommand keygen" -l out -d 'Write PREFIX.key (secret) and PREFIX.pub (public)' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand keygen" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c logseal -n "__fish_logseal_using_subcommand keygen" -s V -l version -d 'Print version'
complete -c logseal -n "__fish_logseal_using_subcommand record; and not __fish_seen_subcommand_from new show" -s h -l help -d 'Print help'
complete -c logseal -n "__fish_logseal_using_subcommand record; and not __fish_seen_subcommand_from new show" -s V -l version -d 'Print version'
complete -c logseal -n "__fish_logseal_using_subcommand record; and not __fish_seen_subcommand_from new show" -f -a "new" -d 'Sign one record from its JSON form'
complete -c logseal -n "__fish_logseal_using_subcommand record; and not __fish_seen_subcommand_from new show" -f -a "show" -d 'Decode a record for a person, check its disclosures and signature'
complete -c logseal -n "__fish_logseal_using_subcommand record; and __fish_seen_subcommand_from new" -l kind -d 'Record kind' -r -f -a "data-access\t''
account-sanction\t''
notification\t''
appeal\t''
appeal-decision\t''
retention-policy\t''
retention-deletion\t''
retention-review\t''
legal-hold\t''
case-status\t''
authorisation\t''
key-registration\t''
key-revocation\t''
producer-reset\t''
policy-publication\t''
producer-heartbeat\t''
obligation-policy\t''
access-justification\t''"
complete -c logseal -n "__fish_logseal_using_subcommand record; and __fish_seen_subcommand_from new" -l producer-key -d 'Producer signer-key file (as written by `logseal keygen`)' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand record; and __fish_seen_subcommand_from new" -l origin -d 'Origin of the log the record is for (bound into the signature)' -r
complete -c logseal -n "__fish_logseal_using_subcommand record; and __fish_seen_subcommand_from new" -l in -d 'Read the JSON record from FILE instead of standard input' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand record; and __fish_seen_subcommand_from new" -l out -d 'Write PREFIX.cose and PREFIX.disclosures' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand record; and __fish_seen_subcommand_from new" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c logseal -n "__fish_logseal_using_subcommand record; and __fish_seen_subcommand_from new" -s V -l version -d 'Print version'
complete -c logseal -n "__fish_logseal_using_subcommand record; and __fish_seen_subcommand_from show" -l disclosures -d 'Disclosures file (as written by `logseal record new`) to open sealed fields' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand record; and __fish_seen_subcommand_from show" -l key -d 'Verifier-key file of the producer; checks the signature (needs --origin)' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand record; and __fish_seen_subcommand_from show" -l origin -d 'Origin of the log the record belongs to (needs --key)' -r
complete -c logseal -n "__fish_logseal_using_subcommand record; and __fish_seen_subcommand_from show" -l json -d 'Print one JSON object instead of text'
complete -c logseal -n "__fish_logseal_using_subcommand record; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c logseal -n "__fish_logseal_using_subcommand record; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c logseal -n "__fish_logseal_using_subcommand demo" -l dir -d 'Directory to create the demo files in (must not hold files of the same names); default: a new directory under the system\'s temporary directory' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand demo" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c logseal -n "__fish_logseal_using_subcommand demo" -s V -l version -d 'Print version'
complete -c logseal -n "__fish_logseal_using_subcommand init" -l origin -d 'The log\'s origin (its checkpoint\'s first line), e.g. `example.org/audit/log`' -r
complete -c logseal -n "__fish_logseal_using_subcommand init" -l log-key -d 'The log\'s signer-key file (from `logseal keygen --name ORIGIN`)' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand init" -l authority -d 'The registration authority\'s verifier-key file' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand init" -l tree-hash -d 'The tree hash (a BLAKE3 log\'s origin must end in `/blake3`)' -r -f -a "sha256\t''
blake3\t''"
complete -c logseal -n "__fish_logseal_using_subcommand init" -l public -d 'Keep the public part in an S3-compatible bucket, `s3://BUCKET[/PREFIX]` (empty), instead of DIR/public; endpoint and credentials from the AWS_* variables' -r
complete -c logseal -n "__fish_logseal_using_subcommand init" -l coord -d 'Coordinate the log\'s sequencers through etcd, `etcd://HOST:PORT/PREFIX` (an empty prefix): one sequencer at a time by a lease, every append and checkpoint committed there under its fencing token before it is published (needs --public)' -r
complete -c logseal -n "__fish_logseal_using_subcommand init" -l private -d 'Keep the private part\'s state, data keys and sealed disclosures in an S3-compatible bucket, `s3://BUCKET[/PREFIX]` (empty; needs --public), with credentials of its own from LOGSEAL_PRIVATE_AWS_ACCESS_KEY_ID and LOGSEAL_PRIVATE_AWS_SECRET_ACCESS_KEY where set; the config, the log key and the lock stay in DIR/private' -r
complete -c logseal -n "__fish_logseal_using_subcommand init" -l lease-ttl -d 'The sequencer lease\'s time to live, in seconds (with --coord): a sequencer that stops renewing it (crashed, paused, cut off) is replaced after this long' -r
complete -c logseal -n "__fish_logseal_using_subcommand init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c logseal -n "__fish_logseal_using_subcommand init" -s V -l version -d 'Print version'
complete -c logseal -n "__fish_logseal_using_subcommand append" -l in -d 'Read JSON lines from FILE (`-`: standard input)' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand append" -l producer-key -d 'Signer-key file for JSON records that are not yet signed' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand append" -l batch -d 'With --in: records per atomic batch (0: the whole input as one batch)' -r
complete -c logseal -n "__fish_logseal_using_subcommand append" -l json -d 'Print the receipts as JSON lines'
complete -c logseal -n "__fish_logseal_using_subcommand append" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c logseal -n "__fish_logseal_using_subcommand append" -s V -l version -d 'Print version'
complete -c logseal -n "__fish_logseal_using_subcommand checkpoint" -l witnesses -d 'Witness policy (JSON: {"witnesses": [{"url", "vkey"}], "quorum": N}): ask each witness to cosign (C2SP tlog-witness) before publishing' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand checkpoint" -l tsa -d 'RFC 3161 time-stamping authority: POST a request over the new checkpoint to URL and keep the verified token as public/checkpoints/<N>.tsr (needs --tsa-cert)' -r
complete -c logseal -n "__fish_logseal_using_subcommand checkpoint" -l tsa-cert -d 'The time-stamping authority\'s certificate, or its CA\'s (PEM): a token that does not verify against it is not kept' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand checkpoint" -s h -l help -d 'Print help'
complete -c logseal -n "__fish_logseal_using_subcommand checkpoint" -s V -l version -d 'Print version'
complete -c logseal -n "__fish_logseal_using_subcommand rotate-log-key" -l new-key -d 'The new log signer key (`PRIVATE+KEY+<origin>+…`)' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand rotate-log-key" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c logseal -n "__fish_logseal_using_subcommand rotate-log-key" -s V -l version -d 'Print version'
complete -c logseal -n "__fish_logseal_using_subcommand prove; and not __fish_seen_subcommand_from inclusion consistency check receipt check-receipt" -s h -l help -d 'Print help'
complete -c logseal -n "__fish_logseal_using_subcommand prove; and not __fish_seen_subcommand_from inclusion consistency check receipt check-receipt" -s V -l version -d 'Print version'
complete -c logseal -n "__fish_logseal_using_subcommand prove; and not __fish_seen_subcommand_from inclusion consistency check receipt check-receipt" -f -a "inclusion" -d 'Prove that a record is in the log (JSON proof with the signed checkpoint)'
complete -c logseal -n "__fish_logseal_using_subcommand prove; and not __fish_seen_subcommand_from inclusion consistency check receipt check-receipt" -f -a "consistency" -d 'Prove that an older checkpoint is a prefix of a newer one'
complete -c logseal -n "__fish_logseal_using_subcommand prove; and not __fish_seen_subcommand_from inclusion consistency check receipt check-receipt" -f -a "check" -d 'Check a proof against the log\'s public key, trusting nothing from the log directory'
complete -c logseal -n "__fish_logseal_using_subcommand prove; and not __fish_seen_subcommand_from inclusion consistency check receipt check-receipt" -f -a "receipt" -d 'Write a COSE Receipt (RFC 9942) that a record is in the log, signed by the log\'s key'
complete -c logseal -n "__fish_logseal_using_subcommand prove; and not __fish_seen_subcommand_from inclusion consistency check receipt check-receipt" -f -a "check-receipt" -d 'Check a COSE Receipt for a record against the log\'s public key'
complete -c logseal -n "__fish_logseal_using_subcommand prove; and __fish_seen_subcommand_from inclusion" -l index -d 'Leaf index of the record' -r
complete -c logseal -n "__fish_logseal_using_subcommand prove; and __fish_seen_subcommand_from inclusion" -l size -d 'Tree size of a published checkpoint (default: the latest checkpoint)' -r
complete -c logseal -n "__fish_logseal_using_subcommand prove; and __fish_seen_subcommand_from inclusion" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c logseal -n "__fish_logseal_using_subcommand prove; and __fish_seen_subcommand_from inclusion" -s V -l version -d 'Print version'
complete -c logseal -n "__fish_logseal_using_subcommand prove; and __fish_seen_subcommand_from consistency" -l old -d 'Tree size of the older published checkpoint' -r
complete -c logseal -n "__fish_logseal_using_subcommand prove; and __fish_seen_subcommand_from consistency" -l new -d 'Tree size of the newer published checkpoint (default: the latest)' -r
complete -c logseal -n "__fish_logseal_using_subcommand prove; and __fish_seen_subcommand_from consistency" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c logseal -n "__fish_logseal_using_subcommand prove; and __fish_seen_subcommand_from consistency" -s V -l version -d 'Print version'
complete -c logseal -n "__fish_logseal_using_subcommand prove; and __fish_seen_subcommand_from check" -l log-key -d 'The log\'s verifier-key file' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand prove; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c logseal -n "__fish_logseal_using_subcommand prove; and __fish_seen_subcommand_from check" -s V -l version -d 'Print version'
complete -c logseal -n "__fish_logseal_using_subcommand prove; and __fish_seen_subcommand_from receipt" -l index -d 'Leaf index of the record' -r
complete -c logseal -n "__fish_logseal_using_subcommand prove; and __fish_seen_subcommand_from receipt" -l size -d 'Tree size of a published checkpoint (default: the latest checkpoint)' -r
complete -c logseal -n "__fish_logseal_using_subcommand prove; and __fish_seen_subcommand_from receipt" -l out -d 'Write the receipt here (never overwritten); the record is written to OUT.record' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand prove; and __fish_seen_subcommand_from receipt" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c logseal -n "__fish_logseal_using_subcommand prove; and __fish_seen_subcommand_from receipt" -s V -l version -d 'Print version'
complete -c logseal -n "__fish_logseal_using_subcommand prove; and __fish_seen_subcommand_from check-receipt" -l record -d 'The record it is for (COSE_Sign1 bytes, as in the log)' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand prove; and __fish_seen_subcommand_from check-receipt" -l log-key -d 'The log\'s verifier-key file (its name is the log\'s origin, the receipt\'s issuer)' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand prove; and __fish_seen_subcommand_from check-receipt" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c logseal -n "__fish_logseal_using_subcommand prove; and __fish_seen_subcommand_from check-receipt" -s V -l version -d 'Print version'
complete -c logseal -n "__fish_logseal_using_subcommand info" -l log-key -d 'The log\'s verifier-key file: on a public-only copy, verifies the checkpoints and shows their times (with private/, the log\'s own key is used)' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand info" -l state -d 'The auditor\'s state directory (of `verify --state`): shows per producer the next seq and last heartbeat as of the state\'s last verified checkpoint' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand info" -l count -d 'Read every record to count the records per kind and per producer and find each producer\'s last heartbeat (a full read: hours at 10⁹ records; signatures not checked)'
complete -c logseal -n "__fish_logseal_using_subcommand info" -l json -d 'Print one JSON object'
complete -c logseal -n "__fish_logseal_using_subcommand info" -s h -l help -d 'Print help'
complete -c logseal -n "__fish_logseal_using_subcommand info" -s V -l version -d 'Print version'
complete -c logseal -n "__fish_logseal_using_subcommand recover" -l executor-key -d 'The signing key of the retention executor (its name is the producer id of the loss records); required when disclosures were lost' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand recover" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c logseal -n "__fish_logseal_using_subcommand recover" -s V -l version -d 'Print version'
complete -c logseal -n "__fish_logseal_using_subcommand verify" -l trust -d 'The auditor\'s trust file (JSON; docs/CHECKS.md §Trust file)' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand verify" -l state -d 'The auditor\'s state directory (created if absent): checkpoints verified, producer heads' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand verify" -l at -d 'Reference time of the verdicts (RFC 3339; default: now)' -r
complete -c logseal -n "__fish_logseal_using_subcommand verify" -l retention-grace -d 'Check 7 (retention, when DIR/private is readable): how long after its deadline a disclosure still present counts as due rather than kept too long, e.g. 1d, 36h, 0s' -r
complete -c logseal -n "__fish_logseal_using_subcommand verify" -l require -d 'Require these checks too (besides the trust file\'s require_checks), e.g. 7 or 1,7: a required check that is not fully determined makes the exit status 1' -r
complete -c logseal -n "__fish_logseal_using_subcommand verify" -l check -d 'Text report: show only the findings of these checks, e.g. 3 or 1,7 (the exit status still counts every finding)' -r
complete -c logseal -n "__fish_logseal_using_subcommand verify" -l code -d 'Text report: show only the findings of these codes, e.g. chain-seq-gap (the exit status still counts every finding)' -r
complete -c logseal -n "__fish_logseal_using_subcommand verify" -l producer -d 'Text report: show only the findings about these producers (the exit status still counts every finding)' -r
complete -c logseal -n "__fish_logseal_using_subcommand verify" -l since -d 'Incremental: check only the records appended since the state\'s last checkpoint'
complete -c logseal -n "__fish_logseal_using_subcommand verify" -l json -d 'Print the report as one JSON object (docs/CHECKS.md §JSON report)'
complete -c logseal -n "__fish_logseal_using_subcommand verify" -l summary -d 'Text report: only the summary and the counts by check and code, no finding lines'
complete -c logseal -n "__fish_logseal_using_subcommand verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c logseal -n "__fish_logseal_using_subcommand verify" -s V -l version -d 'Print version'
complete -c logseal -n "__fish_logseal_using_subcommand watch" -l trust -d 'The auditor\'s trust file (JSON; docs/CHECKS.md §Trust file)' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand watch" -l state -d 'The monitor\'s state directory (created if absent): the auditor state and evidence/' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand watch" -l interval -d 'Time between rounds (`30s`, `5m`, `1h`)' -r
complete -c logseal -n "__fish_logseal_using_subcommand watch" -l hook -d 'Program run on a violation, with the alert (JSON) on standard input' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand watch" -l hook-arg -d 'An argument of the hook program; repeatable' -r
complete -c logseal -n "__fish_logseal_using_subcommand watch" -l once -d 'One round only'
complete -c logseal -n "__fish_logseal_using_subcommand watch" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c logseal -n "__fish_logseal_using_subcommand watch" -s V -l version -d 'Print version'
complete -c logseal -n "__fish_logseal_using_subcommand mirror" -l trust -d 'The auditor\'s trust file the source is verified against (JSON; docs/CHECKS.md)' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand mirror" -l at -d 'Reference time of the verdicts (RFC 3339; default: now)' -r
complete -c logseal -n "__fish_logseal_using_subcommand mirror" -l private -d 'Also copy SRC\'s private part (SRC must be a log directory, at a checkpoint of its current size) to PRIV, a directory or s3://BUCKET[/PREFIX] (credentials from LOGSEAL_PRIVATE_AWS_* where set): its state, data keys and sealed disclosures — never a data key that a published retention-deletion says was destroyed, nor the sealed objects under it' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand mirror" -l progress -d 'Show a progress bar (on a terminal)'
complete -c logseal -n "__fish_logseal_using_subcommand mirror" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c logseal -n "__fish_logseal_using_subcommand mirror" -s V -l version -d 'Print version'
complete -c logseal -n "__fish_logseal_using_subcommand witness; and not __fish_seen_subcommand_from cosign vkey serve" -s h -l help -d 'Print help'
complete -c logseal -n "__fish_logseal_using_subcommand witness; and not __fish_seen_subcommand_from cosign vkey serve" -s V -l version -d 'Print version'
complete -c logseal -n "__fish_logseal_using_subcommand witness; and not __fish_seen_subcommand_from cosign vkey serve" -f -a "cosign" -d 'Verify a log\'s new checkpoint and a consistency proof, then cosign it'
complete -c logseal -n "__fish_logseal_using_subcommand witness; and not __fish_seen_subcommand_from cosign vkey serve" -f -a "vkey" -d 'Print the witness\'s cosigner verifier key (type 0x04) for a trust file'
complete -c logseal -n "__fish_logseal_using_subcommand witness; and not __fish_seen_subcommand_from cosign vkey serve" -f -a "serve" -d 'Run a witness over HTTP (C2SP tlog-witness: POST /add-checkpoint)'
complete -c logseal -n "__fish_logseal_using_subcommand witness; and __fish_seen_subcommand_from cosign" -l key -d 'The witness\'s signer-key file (its name is the witness\'s name)' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand witness; and __fish_seen_subcommand_from cosign" -l state -d 'The witness\'s state directory (created if absent)' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand witness; and __fish_seen_subcommand_from cosign" -l checkpoint -d 'The new signed checkpoint (a log\'s `public/checkpoint`)' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand witness; and __fish_seen_subcommand_from cosign" -l proof -d 'Consistency proof from the last cosigned checkpoint (not needed on first use)' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand witness; and __fish_seen_subcommand_from cosign" -l log-key -d 'The log\'s verifier-key file (named after the origin)' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand witness; and __fish_seen_subcommand_from cosign" -l time -d 'Cosignature time, seconds since the epoch (default: now)' -r
complete -c logseal -n "__fish_logseal_using_subcommand witness; and __fish_seen_subcommand_from cosign" -l out -d 'Write the cosigned checkpoint to FILE (must not exist) instead of standard output' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand witness; and __fish_seen_subcommand_from cosign" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c logseal -n "__fish_logseal_using_subcommand witness; and __fish_seen_subcommand_from cosign" -s V -l version -d 'Print version'
complete -c logseal -n "__fish_logseal_using_subcommand witness; and __fish_seen_subcommand_from vkey" -l key -d 'The witness\'s signer-key file' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand witness; and __fish_seen_subcommand_from vkey" -s h -l help -d 'Print help'
complete -c logseal -n "__fish_logseal_using_subcommand witness; and __fish_seen_subcommand_from vkey" -s V -l version -d 'Print version'
complete -c logseal -n "__fish_logseal_using_subcommand witness; and __fish_seen_subcommand_from serve" -l key -d 'The witness\'s signer-key file (its name is the witness\'s name)' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand witness; and __fish_seen_subcommand_from serve" -l state -d 'The witness\'s state directory (created if absent)' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand witness; and __fish_seen_subcommand_from serve" -l log-key -d 'A log\'s verifier-key file (named after its origin); repeatable' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand witness; and __fish_seen_subcommand_from serve" -l listen -d 'Address to listen on (port 0: any free port, printed on standard output)' -r
complete -c logseal -n "__fish_logseal_using_subcommand witness; and __fish_seen_subcommand_from serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c logseal -n "__fish_logseal_using_subcommand witness; and __fish_seen_subcommand_from serve" -s V -l version -d 'Print version'
complete -c logseal -n "__fish_logseal_using_subcommand tlog; and not __fish_seen_subcommand_from verify prove check-proof watch" -s h -l help -d 'Print help'
complete -c logseal -n "__fish_logseal_using_subcommand tlog; and not __fish_seen_subcommand_from verify prove check-proof watch" -s V -l version -d 'Print version'
complete -c logseal -n "__fish_logseal_using_subcommand tlog; and not __fish_seen_subcommand_from verify prove check-proof watch" -f -a "verify" -d 'Verify a C2SP tlog-tiles log of opaque entries: checkpoint, witnesses, tiles, entries'
complete -c logseal -n "__fish_logseal_using_subcommand tlog; and not __fish_seen_subcommand_from verify prove check-proof watch" -f -a "prove" -d 'Print a C2SP tlog-proof that entry INDEX is in the log\'s checkpointed tree'
complete -c logseal -n "__fish_logseal_using_subcommand tlog; and not __fish_seen_subcommand_from verify prove check-proof watch" -f -a "check-proof" -d 'Check a C2SP tlog-proof for an entry under a log key and witness policy'
complete -c logseal -n "__fish_logseal_using_subcommand tlog; and not __fish_seen_subcommand_from verify prove check-proof watch" -f -a "watch" -d 'Monitor a C2SP log: `tlog verify --state` every --interval, alert on a violation'
complete -c logseal -n "__fish_logseal_using_subcommand tlog; and __fish_seen_subcommand_from verify" -l vkey -d 'The log\'s verifier key (Ed25519, type 0x01): a file holding it, or the key itself' -r
complete -c logseal -n "__fish_logseal_using_subcommand tlog; and __fish_seen_subcommand_from verify" -l witness -d 'A witness\'s cosigner verifier key (type 0x04): a file or the key (repeatable)' -r
complete -c logseal -n "__fish_logseal_using_subcommand tlog; and __fish_seen_subcommand_from verify" -l quorum -d 'How many of the --witness keys must have cosigned' -r
complete -c logseal -n "__fish_logseal_using_subcommand tlog; and __fish_seen_subcommand_from verify" -l state -d 'The auditor\'s state directory (created if absent): the last checkpoint verified' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand tlog; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c logseal -n "__fish_logseal_using_subcommand tlog; and __fish_seen_subcommand_from verify" -s V -l version -d 'Print version'
complete -c logseal -n "__fish_logseal_using_subcommand tlog; and __fish_seen_subcommand_from prove" -l vkey -d 'The log\'s verifier key (Ed25519, type 0x01): a file holding it, or the key itself' -r
complete -c logseal -n "__fish_logseal_using_subcommand tlog; and __fish_seen_subcommand_from prove" -l witness -d 'A witness\'s cosigner verifier key (type 0x04): a file or the key (repeatable)' -r
complete -c logseal -n "__fish_logseal_using_subcommand tlog; and __fish_seen_subcommand_from prove" -l quorum -d 'How many of the --witness keys must have cosigned' -r
complete -c logseal -n "__fish_logseal_using_subcommand tlog; and __fish_seen_subcommand_from prove" -l index -d 'Index of the entry' -r
complete -c logseal -n "__fish_logseal_using_subcommand tlog; and __fish_seen_subcommand_from prove" -l entry-out -d 'Also write the entry\'s bytes to FILE (must not exist)' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand tlog; and __fish_seen_subcommand_from prove" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c logseal -n "__fish_logseal_using_subcommand tlog; and __fish_seen_subcommand_from prove" -s V -l version -d 'Print version'
complete -c logseal -n "__fish_logseal_using_subcommand tlog; and __fish_seen_subcommand_from check-proof" -l entry -d 'The entry the proof is for (its bytes, as in the log)' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand tlog; and __fish_seen_subcommand_from check-proof" -l vkey -d 'The log\'s verifier key (Ed25519, type 0x01): a file holding it, or the key itself' -r
complete -c logseal -n "__fish_logseal_using_subcommand tlog; and __fish_seen_subcommand_from check-proof" -l witness -d 'A witness\'s cosigner verifier key (type 0x04): a file or the key (repeatable)' -r
complete -c logseal -n "__fish_logseal_using_subcommand tlog; and __fish_seen_subcommand_from check-proof" -l quorum -d 'How many of the --witness keys must have cosigned' -r
complete -c logseal -n "__fish_logseal_using_subcommand tlog; and __fish_seen_subcommand_from check-proof" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c logseal -n "__fish_logseal_using_subcommand tlog; and __fish_seen_subcommand_from check-proof" -s V -l version -d 'Print version'
complete -c logseal -n "__fish_logseal_using_subcommand tlog; and __fish_seen_subcommand_from watch" -l vkey -d 'The log\'s verifier key (Ed25519, type 0x01): a file holding it, or the key itself' -r
complete -c logseal -n "__fish_logseal_using_subcommand tlog; and __fish_seen_subcommand_from watch" -l witness -d 'A witness\'s cosigner verifier key (type 0x04): a file or the key (repeatable)' -r
complete -c logseal -n "__fish_logseal_using_subcommand tlog; and __fish_seen_subcommand_from watch" -l quorum -d 'How many of the --witness keys must have cosigned' -r
complete -c logseal -n "__fish_logseal_using_subcommand tlog; and __fish_seen_subcommand_from watch" -l state -d 'The monitor\'s state directory (created if absent): the last checkpoint verified and evidence/' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand tlog; and __fish_seen_subcommand_from watch" -l interval -d 'Time between rounds (`30s`, `5m`, `1h`)' -r
complete -c logseal -n "__fish_logseal_using_subcommand tlog; and __fish_seen_subcommand_from watch" -l hook -d 'Program run on a violation, with the alert (JSON) on standard input' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand tlog; and __fish_seen_subcommand_from watch" -l hook-arg -d 'An argument of the hook program; repeatable' -r
complete -c logseal -n "__fish_logseal_using_subcommand tlog; and __fish_seen_subcommand_from watch" -l once -d 'One round only'
complete -c logseal -n "__fish_logseal_using_subcommand tlog; and __fish_seen_subcommand_from watch" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c logseal -n "__fish_logseal_using_subcommand tlog; and __fish_seen_subcommand_from watch" -s V -l version -d 'Print version'
complete -c logseal -n "__fish_logseal_using_subcommand retention; and not __fish_seen_subcommand_from plan apply erase hold release" -s h -l help -d 'Print help'
complete -c logseal -n "__fish_logseal_using_subcommand retention; and not __fish_seen_subcommand_from plan apply erase hold release" -s V -l version -d 'Print version'
complete -c logseal -n "__fish_logseal_using_subcommand retention; and not __fish_seen_subcommand_from plan apply erase hold release" -f -a "plan" -d 'Show what the retention rules require of a log\'s disclosures at a time'
complete -c logseal -n "__fish_logseal_using_subcommand retention; and not __fish_seen_subcommand_from plan apply erase hold release" -f -a "apply" -d 'Erase the disclosures that are due and record each erasure in the log'
complete -c logseal -n "__fish_logseal_using_subcommand retention; and not __fish_seen_subcommand_from plan apply erase hold release" -f -a "erase" -d 'Erase chosen records\' disclosures on a stated ground (an erasure request)'
complete -c logseal -n "__fish_logseal_using_subcommand retention; and not __fish_seen_subcommand_from plan apply erase hold release" -f -a "hold" -d 'Place a legal hold over an explicit set of records'
complete -c logseal -n "__fish_logseal_using_subcommand retention; and not __fish_seen_subcommand_from plan apply erase hold release" -f -a "release" -d 'Release a legal hold, whole or for some of its records'
complete -c logseal -n "__fish_logseal_using_subcommand retention; and __fish_seen_subcommand_from plan" -l at -d 'The instant the plan is made for (RFC 3339; default: now)' -r
complete -c logseal -n "__fish_logseal_using_subcommand retention; and __fish_seen_subcommand_from plan" -l grace -d 'How long after its deadline a deletion is still on time, e.g. 1d, 36h, 0s; later is overdue' -r
complete -c logseal -n "__fish_logseal_using_subcommand retention; and __fish_seen_subcommand_from plan" -l trust -d 'The auditor\'s trust file: only the retention-policy records of its `retention_policy_authority` apply (without it, or when it names none, every retention-policy record admitted to the log applies)' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand retention; and __fish_seen_subcommand_from plan" -l json -d 'Print one JSON object'
complete -c logseal -n "__fish_logseal_using_subcommand retention; and __fish_seen_subcommand_from plan" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c logseal -n "__fish_logseal_using_subcommand retention; and __fish_seen_subcommand_from plan" -s V -l version -d 'Print version'
complete -c logseal -n "__fish_logseal_using_subcommand retention; and __fish_seen_subcommand_from apply" -l executor-key -d 'The signing key of the sweep (its name is the producer id of the records)' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand retention; and __fish_seen_subcommand_from apply" -l at -d 'The time of the sweep (RFC 3339; default: now; not in the future, not before the log\'s last retention action); recorded as executed_at' -r
complete -c logseal -n "__fish_logseal_using_subcommand retention; and __fish_seen_subcommand_from apply" -l grace -d 'How long after its deadline a deletion is still on time (as for `retention plan`)' -r
complete -c logseal -n "__fish_logseal_using_subcommand retention; and __fish_seen_subcommand_from apply" -l trust -d 'A trust file whose retention_policy_authority alone may set the rules' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand retention; and __fish_seen_subcommand_from apply" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c logseal -n "__fish_logseal_using_subcommand retention; and __fish_seen_subcommand_from apply" -s V -l version -d 'Print version'
complete -c logseal -n "__fish_logseal_using_subcommand retention; and __fish_seen_subcommand_from erase" -l executor-key -d 'The signing key of the executor (its name is the producer id of the record)' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand retention; and __fish_seen_subcommand_from erase" -l leaf -d 'The leaf of a record to erase (repeatable)' -r
complete -c logseal -n "__fish_logseal_using_subcommand retention; and __fish_seen_subcommand_from erase" -l field -d 'Only this sealed field, e.g. subjects.0 (repeatable; default: every field)' -r
complete -c logseal -n "__fish_logseal_using_subcommand retention; and __fish_seen_subcommand_from erase" -l ground -d 'The exception ground: gdpr-17-1, gdpr-17-3-b, gdpr-17-3-e, led-16-2, led-16-3-a, led-16-3-b or court-order' -r -f -a "gdpr-17-1\t''
gdpr-17-3-b\t''
gdpr-17-3-e\t''
led-16-2\t''
led-16-3-a\t''
led-16-3-b\t''
court-order\t''
disclosure-lost\t''"
complete -c logseal -n "__fish_logseal_using_subcommand retention; and __fish_seen_subcommand_from erase" -l at -d 'The time of the erasure (RFC 3339; default: now; as for `retention apply`)' -r
complete -c logseal -n "__fish_logseal_using_subcommand retention; and __fish_seen_subcommand_from erase" -l trust -d 'A trust file whose retention_policy_authority alone may set the rules' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand retention; and __fish_seen_subcommand_from erase" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c logseal -n "__fish_logseal_using_subcommand retention; and __fish_seen_subcommand_from erase" -s V -l version -d 'Print version'
complete -c logseal -n "__fish_logseal_using_subcommand retention; and __fish_seen_subcommand_from hold" -l key -d 'The signing key (its name is the producer id of the legal-hold record)' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand retention; and __fish_seen_subcommand_from hold" -l hold-id -d 'A pseudonymous id of the hold' -r
complete -c logseal -n "__fish_logseal_using_subcommand retention; and __fish_seen_subcommand_from hold" -l authority -d 'Who ordered the hold, e.g. rechtbank-amsterdam' -r
complete -c logseal -n "__fish_logseal_using_subcommand retention; and __fish_seen_subcommand_from hold" -l legal-basis -d 'Its legal basis, e.g. gdpr-17-3-e' -r
complete -c logseal -n "__fish_logseal_using_subcommand retention; and __fish_seen_subcommand_from hold" -l case-ref-file -d 'A file holding the case reference (sealed; `-` for standard input)' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand retention; and __fish_seen_subcommand_from hold" -l leaf -d 'The leaf of a record to hold (repeatable)' -r
complete -c logseal -n "__fish_logseal_using_subcommand retention; and __fish_seen_subcommand_from hold" -l until -d 'When the hold lapses by itself (RFC 3339; default: until released)' -r
complete -c logseal -n "__fish_logseal_using_subcommand retention; and __fish_seen_subcommand_from hold" -l at -d 'The time of the hold (RFC 3339; default: now)' -r
complete -c logseal -n "__fish_logseal_using_subcommand retention; and __fish_seen_subcommand_from hold" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c logseal -n "__fish_logseal_using_subcommand retention; and __fish_seen_subcommand_from hold" -s V -l version -d 'Print version'
complete -c logseal -n "__fish_logseal_using_subcommand retention; and __fish_seen_subcommand_from release" -l key -d 'The signing key (its name is the producer id of the legal-hold record)' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand retention; and __fish_seen_subcommand_from release" -l hold-id -d 'The id of the hold' -r
complete -c logseal -n "__fish_logseal_using_subcommand retention; and __fish_seen_subcommand_from release" -l set-by -d 'The leaf of the legal-hold record that set the hold' -r
complete -c logseal -n "__fish_logseal_using_subcommand retention; and __fish_seen_subcommand_from release" -l case-ref-file -d 'A file holding the case reference (sealed; `-` for standard input)' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand retention; and __fish_seen_subcommand_from release" -l leaf -d 'Release only this record (repeatable; default: the whole hold)' -r
complete -c logseal -n "__fish_logseal_using_subcommand retention; and __fish_seen_subcommand_from release" -l at -d 'The time of the release (RFC 3339; default: now)' -r
complete -c logseal -n "__fish_logseal_using_subcommand retention; and __fish_seen_subcommand_from release" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c logseal -n "__fish_logseal_using_subcommand retention; and __fish_seen_subcommand_from release" -s V -l version -d 'Print version'
complete -c logseal -n "__fish_logseal_using_subcommand trust; and not __fish_seen_subcommand_from new show" -s h -l help -d 'Print help'
complete -c logseal -n "__fish_logseal_using_subcommand trust; and not __fish_seen_subcommand_from new show" -s V -l version -d 'Print version'
complete -c logseal -n "__fish_logseal_using_subcommand trust; and not __fish_seen_subcommand_from new show" -f -a "new" -d 'Write a trust file (for `verify --trust`) from keys and options'
complete -c logseal -n "__fish_logseal_using_subcommand trust; and not __fish_seen_subcommand_from new show" -f -a "show" -d 'Show a trust file: its anchors with their fingerprints, to compare out of band'
complete -c logseal -n "__fish_logseal_using_subcommand trust; and __fish_seen_subcommand_from new" -l out -d 'Write the trust file to FILE (refuses to overwrite)' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand trust; and __fish_seen_subcommand_from new" -l log-key -d 'The log\'s verifier key (file or key string), named after the origin' -r
complete -c logseal -n "__fish_logseal_using_subcommand trust; and __fish_seen_subcommand_from new" -l authority -d 'The registration authority\'s verifier key (file or key string); its name is its producer id' -r
complete -c logseal -n "__fish_logseal_using_subcommand trust; and __fish_seen_subcommand_from new" -l registry -d 'Producer id of the authorisation registry' -r
complete -c logseal -n "__fish_logseal_using_subcommand trust; and __fish_seen_subcommand_from new" -l origin -d 'The log\'s origin (default: the log key\'s name)' -r
complete -c logseal -n "__fish_logseal_using_subcommand trust; and __fish_seen_subcommand_from new" -l tree-hash -d 'The tree hash (default: blake3 for an origin ending in `/blake3`, else sha256)' -r -f -a "sha256\t''
blake3\t''"
complete -c logseal -n "__fish_logseal_using_subcommand trust; and __fish_seen_subcommand_from new" -l witness -d 'A witness\'s cosigner key (file or key string, from `logseal witness vkey`); repeatable' -r
complete -c logseal -n "__fish_logseal_using_subcommand trust; and __fish_seen_subcommand_from new" -l quorum -d 'How many listed witnesses must cosign (default: 0)' -r
complete -c logseal -n "__fish_logseal_using_subcommand trust; and __fish_seen_subcommand_from new" -l witnessed-after-size -d 'The log had no witnesses up to this tree size: checkpoints of this size or smaller are not held to the quorum (a notice says so); needs --quorum' -r
complete -c logseal -n "__fish_logseal_using_subcommand trust; and __fish_seen_subcommand_from new" -l authorisation-required -d 'Producer whose data-access records must all name an authorisation; repeatable' -r
complete -c logseal -n "__fish_logseal_using_subcommand trust; and __fish_seen_subcommand_from new" -l max-delay -d 'Maximum logging delay in seconds (default: 86400)' -r
complete -c logseal -n "__fish_logseal_using_subcommand trust; and __fish_seen_subcommand_from new" -l retention-authority -d 'Producer id whose retention-policy records alone apply (check 7)' -r
complete -c logseal -n "__fish_logseal_using_subcommand trust; and __fish_seen_subcommand_from new" -l obligation-authority -d 'Producer id whose obligation-policy records alone apply (check 8)' -r
complete -c logseal -n "__fish_logseal_using_subcommand trust; and __fish_seen_subcommand_from new" -l require -d 'The checks required, by number (default: 1-6)' -r
complete -c logseal -n "__fish_logseal_using_subcommand trust; and __fish_seen_subcommand_from new" -l heartbeat -d 'A producer that must send heartbeats, with the longest silence allowed, e.g. `query-frontend=26h`; repeatable' -r
complete -c logseal -n "__fish_logseal_using_subcommand trust; and __fish_seen_subcommand_from new" -l timestamp-authority -d 'An RFC 3161 time-stamping authority whose tokens bound checkpoint times: NAME=FILE, FILE its certificate or its CA\'s (PEM); repeat for several (trust file member timestamp_authorities)' -r
complete -c logseal -n "__fish_logseal_using_subcommand trust; and __fish_seen_subcommand_from new" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c logseal -n "__fish_logseal_using_subcommand trust; and __fish_seen_subcommand_from new" -s V -l version -d 'Print version'
complete -c logseal -n "__fish_logseal_using_subcommand trust; and __fish_seen_subcommand_from show" -l json -d 'Print JSON'
complete -c logseal -n "__fish_logseal_using_subcommand trust; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c logseal -n "__fish_logseal_using_subcommand trust; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c logseal -n "__fish_logseal_using_subcommand show" -l trust -d 'The auditor\'s trust file: check against its anchors instead of the log\'s own key' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand show" -l field -d 'With --disclose: only this sealed field (repeatable), e.g. actor.user, subject' -r
complete -c logseal -n "__fish_logseal_using_subcommand show" -l inspector-key -d 'With --disclose: the inspector\'s producer signing key (registered for data-access)' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand show" -l purpose -d 'With --disclose: the purpose of the inspection (recorded; e.g. complaint-handling)' -r
complete -c logseal -n "__fish_logseal_using_subcommand show" -l legal-basis -d 'With --disclose: the legal basis of the inspection (recorded; e.g. gdpr-art-6-1-c)' -r
complete -c logseal -n "__fish_logseal_using_subcommand show" -l case-ref-file -d 'With --disclose: file holding the case reference (sealed in the record); - for stdin' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand show" -l organisation -d 'With --disclose: the inspector\'s organisation (recorded)' -r
complete -c logseal -n "__fish_logseal_using_subcommand show" -l json -d 'Print JSON'
complete -c logseal -n "__fish_logseal_using_subcommand show" -l disclose -d 'Also print its sealed values, each opened against its commitment, after logging the opening (a signed data-access record by --inspector-key; needs the log\'s lock)'
complete -c logseal -n "__fish_logseal_using_subcommand show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c logseal -n "__fish_logseal_using_subcommand show" -s V -l version -d 'Print version'
complete -c logseal -n "__fish_logseal_using_subcommand log" -l trust -d 'The auditor\'s trust file: check against its anchors instead of the log\'s own key' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand log" -l kind -d 'Only records of this kind (e.g. appeal-decision)' -r
complete -c logseal -n "__fish_logseal_using_subcommand log" -l producer -d 'Only records of this producer' -r
complete -c logseal -n "__fish_logseal_using_subcommand log" -l organisation -d 'Only records naming this organisation (actor.organisation, organisation)' -r
complete -c logseal -n "__fish_logseal_using_subcommand log" -l legal-basis -d 'Only records with this legal basis (legal_basis, legal_bases)' -r
complete -c logseal -n "__fish_logseal_using_subcommand log" -l authorisation-id -d 'Only records naming this authorisation id' -r
complete -c logseal -n "__fish_logseal_using_subcommand log" -l ground -d 'Only records with this decision, legal or exception ground' -r
complete -c logseal -n "__fish_logseal_using_subcommand log" -l automation -d 'Only sanctions with this automated_decision (e.g. AUTOMATED_DECISION_FULLY)' -r
complete -c logseal -n "__fish_logseal_using_subcommand log" -l status -d 'Only records with this status (ok, error, denied)' -r
complete -c logseal -n "__fish_logseal_using_subcommand log" -l action -d 'Only data accesses (or authorisations) with this action' -r
complete -c logseal -n "__fish_logseal_using_subcommand log" -l where -d 'Only records whose public field PATH has VALUE; repeatable' -r
complete -c logseal -n "__fish_logseal_using_subcommand log" -l since -d 'Only records of this time or later (RFC 3339)' -r
complete -c logseal -n "__fish_logseal_using_subcommand log" -l until -d 'Only records of this time or earlier (RFC 3339)' -r
complete -c logseal -n "__fish_logseal_using_subcommand log" -l trace -d 'Only the records of this trace or operation id (32 hex digits)' -r
complete -c logseal -n "__fish_logseal_using_subcommand log" -l limit -d 'At most N records' -r
complete -c logseal -n "__fish_logseal_using_subcommand log" -l json -d 'Print JSON'
complete -c logseal -n "__fish_logseal_using_subcommand log" -l reverse -d 'Oldest first (default: newest first)'
complete -c logseal -n "__fish_logseal_using_subcommand log" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c logseal -n "__fish_logseal_using_subcommand log" -s V -l version -d 'Print version'
complete -c logseal -n "__fish_logseal_using_subcommand grep" -l trust -d 'The auditor\'s trust file: check against its anchors instead of the log\'s own key' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand grep" -l field -d 'Search only this public field (its path, or its last part)' -r
complete -c logseal -n "__fish_logseal_using_subcommand grep" -l limit -d 'At most N records' -r
complete -c logseal -n "__fish_logseal_using_subcommand grep" -l json -d 'Print JSON'
complete -c logseal -n "__fish_logseal_using_subcommand grep" -s i -l ignore-case -d 'Ignore case'
complete -c logseal -n "__fish_logseal_using_subcommand grep" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c logseal -n "__fish_logseal_using_subcommand grep" -s V -l version -d 'Print version'
complete -c logseal -n "__fish_logseal_using_subcommand checkpoints" -l trust -d 'The auditor\'s trust file: check against its anchors instead of the log\'s own key' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand checkpoints" -l json -d 'Print JSON'
complete -c logseal -n "__fish_logseal_using_subcommand checkpoints" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c logseal -n "__fish_logseal_using_subcommand checkpoints" -s V -l version -d 'Print version'
complete -c logseal -n "__fish_logseal_using_subcommand subject" -l value-file -d 'File holding the value to search for (one trailing line feed is removed)' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand subject" -l field -d 'Search only this sealed field (repeatable), e.g. actor.user, subject, subjects' -r
complete -c logseal -n "__fish_logseal_using_subcommand subject" -l inspector-key -d 'The inspector\'s producer signing key (registered in the log for data-access)' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand subject" -l purpose -d 'The purpose of the inspection (recorded; e.g. data-subject-request)' -r
complete -c logseal -n "__fish_logseal_using_subcommand subject" -l legal-basis -d 'The legal basis of the inspection (recorded; e.g. gdpr-art-15)' -r
complete -c logseal -n "__fish_logseal_using_subcommand subject" -l case-ref-file -d 'File holding the case reference (sealed in the record); - for standard input' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand subject" -l organisation -d 'The inspector\'s organisation (recorded)' -r
complete -c logseal -n "__fish_logseal_using_subcommand subject" -l for-data-subject -d 'The view for the data subject: withhold officials\' identities and case references'
complete -c logseal -n "__fish_logseal_using_subcommand subject" -l json -d 'Print JSON'
complete -c logseal -n "__fish_logseal_using_subcommand subject" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c logseal -n "__fish_logseal_using_subcommand subject" -s V -l version -d 'Print version'
complete -c logseal -n "__fish_logseal_using_subcommand export" -l out -d 'Where to write the bundle (never overwritten)' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand export" -l match-file -d 'Select the records whose sealed field holds the value in this file (- for standard input; one trailing line feed removed)' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand export" -l field -d 'Match only this sealed field (repeatable), with --match-file' -r
complete -c logseal -n "__fish_logseal_using_subcommand export" -l leaf -d 'Select the record at this leaf (repeatable)' -r
complete -c logseal -n "__fish_logseal_using_subcommand export" -l kind -d 'Select records of this kind (e.g. account-sanction)' -r
complete -c logseal -n "__fish_logseal_using_subcommand export" -l producer -d 'Select records of this producer' -r
complete -c logseal -n "__fish_logseal_using_subcommand export" -l since -d 'Select records at or after this time (RFC 3339)' -r
complete -c logseal -n "__fish_logseal_using_subcommand export" -l until -d 'Select records at or before this time (RFC 3339)' -r
complete -c logseal -n "__fish_logseal_using_subcommand export" -l disclose -d 'Reveal these sealed fields of the selected and related records (repeatable; the others stay commitments)' -r
complete -c logseal -n "__fish_logseal_using_subcommand export" -l max-chain -d 'The most records of one negative-proof chain' -r
complete -c logseal -n "__fish_logseal_using_subcommand export" -l max-logging-delay -d 'The logging delay assumed for a follower whose obligation rule names none (seconds)' -r
complete -c logseal -n "__fish_logseal_using_subcommand export" -l inspector-key -d 'The exporter\'s producer signing key (registered in the log for data-access)' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand export" -l purpose -d 'The purpose of the export (recorded; e.g. court-order)' -r
complete -c logseal -n "__fish_logseal_using_subcommand export" -l legal-basis -d 'The legal basis of the export (recorded)' -r
complete -c logseal -n "__fish_logseal_using_subcommand export" -l case-ref-file -d 'File holding the case reference (sealed in the record); - for standard input' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand export" -l organisation -d 'The exporter\'s organisation (recorded)' -r
complete -c logseal -n "__fish_logseal_using_subcommand export" -l from-checkpoint -d 'A signed checkpoint the recipient already holds: add a consistency proof from it to the bundle\'s newest checkpoint' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand export" -l trust -d 'A trust file: run a full verification on site first and put check 7\'s findings on the bundle\'s records in it, as the exporter\'s statements' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c logseal -n "__fish_logseal_using_subcommand export" -s V -l version -d 'Print version'
complete -c logseal -n "__fish_logseal_using_subcommand bundle; and not __fish_seen_subcommand_from verify show" -s h -l help -d 'Print help'
complete -c logseal -n "__fish_logseal_using_subcommand bundle; and not __fish_seen_subcommand_from verify show" -s V -l version -d 'Print version'
complete -c logseal -n "__fish_logseal_using_subcommand bundle; and not __fish_seen_subcommand_from verify show" -f -a "verify" -d 'Verify an evidence bundle offline against a trust file'
complete -c logseal -n "__fish_logseal_using_subcommand bundle; and not __fish_seen_subcommand_from verify show" -f -a "show" -d 'Show an evidence bundle as a person-readable account, in text or HTML'
complete -c logseal -n "__fish_logseal_using_subcommand bundle; and __fish_seen_subcommand_from verify" -l trust -d 'The trust file (log key, registration authority, witnesses and quorum)' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand bundle; and __fish_seen_subcommand_from verify" -l at -d 'The reference time of the verdicts (RFC 3339; default: the newest checkpoint\'s time)' -r
complete -c logseal -n "__fish_logseal_using_subcommand bundle; and __fish_seen_subcommand_from verify" -l checkpoint -d 'A signed checkpoint you already hold: prove the bundle\'s newest checkpoint extends it' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand bundle; and __fish_seen_subcommand_from verify" -l json -d 'Print JSON'
complete -c logseal -n "__fish_logseal_using_subcommand bundle; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c logseal -n "__fish_logseal_using_subcommand bundle; and __fish_seen_subcommand_from verify" -s V -l version -d 'Print version'
complete -c logseal -n "__fish_logseal_using_subcommand bundle; and __fish_seen_subcommand_from show" -l trust -d 'The trust file (log key, registration authority, witnesses and quorum)' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand bundle; and __fish_seen_subcommand_from show" -l html -d 'Write the account as one self-contained HTML file (refuses to overwrite)' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand bundle; and __fish_seen_subcommand_from show" -l lang -d 'The language of the account: en, nl or de' -r
complete -c logseal -n "__fish_logseal_using_subcommand bundle; and __fish_seen_subcommand_from show" -l time-zone -d 'The IANA time zone the times are shown in (unknown names fall back to UTC)' -r
complete -c logseal -n "__fish_logseal_using_subcommand bundle; and __fish_seen_subcommand_from show" -l at -d 'The reference time of the verdicts (RFC 3339; default: the newest checkpoint\'s time)' -r
complete -c logseal -n "__fish_logseal_using_subcommand bundle; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c logseal -n "__fish_logseal_using_subcommand bundle; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c logseal -n "__fish_logseal_using_subcommand tui" -l trust -d 'The auditor\'s trust file: check against its anchors instead of the log\'s own key' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand tui" -l state -d 'The auditor\'s state directory: read, and advanced only by a verify run asked for (v)' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand tui" -l inspector-key -d 'The inspector\'s producer signing key (registered for data-access), to reveal values' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand tui" -l organisation -d 'The inspector\'s organisation, recorded in the data-access record of each reveal' -r
complete -c logseal -n "__fish_logseal_using_subcommand tui" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c logseal -n "__fish_logseal_using_subcommand tui" -s V -l version -d 'Print version'
complete -c logseal -n "__fish_logseal_using_subcommand report" -l trust -d 'The auditor\'s trust file: check against its anchors and run the verifier' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand report" -l tdb -d 'Write the sanctions as DSA Transparency Database statements to this file' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand report" -l tdb-reconcile -d 'Compare the log\'s sanctions with the statements submitted to the Transparency Database' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand report" -l sealed -d 'On site: also count data accesses by this sealed field (repeatable; actor.user, actor.on_behalf_of, case_ref, order_ref, subject), logged first as a data access' -r
complete -c logseal -n "__fish_logseal_using_subcommand report" -l inspector-key -d 'With --sealed: the inspector\'s producer signing key (registered for data-access)' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand report" -l purpose -d 'With --sealed: the purpose of the statistics (recorded; e.g. supervision)' -r
complete -c logseal -n "__fish_logseal_using_subcommand report" -l legal-basis -d 'With --sealed: the legal basis (recorded; e.g. avg-art-58)' -r
complete -c logseal -n "__fish_logseal_using_subcommand report" -l case-ref-file -d 'With --sealed: file holding the case reference (sealed in the record); - for stdin' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand report" -l organisation -d 'With --sealed: the inspector\'s organisation (recorded)' -r
complete -c logseal -n "__fish_logseal_using_subcommand report" -l json -d 'Print JSON'
complete -c logseal -n "__fish_logseal_using_subcommand report" -l csv -d 'Print CSV (table,key,count rows)'
complete -c logseal -n "__fish_logseal_using_subcommand report" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c logseal -n "__fish_logseal_using_subcommand report" -s V -l version -d 'Print version'
complete -c logseal -n "__fish_logseal_using_subcommand serve" -l listen -d 'Address to listen on (IP:PORT; port 0 picks a free one, printed at start)' -r
complete -c logseal -n "__fish_logseal_using_subcommand serve" -l checkpoint-interval -d 'Publish a checkpoint this often when the log grew (e.g. 10s, 1m)' -r
complete -c logseal -n "__fish_logseal_using_subcommand serve" -l max-body -d 'Largest request body accepted (bytes); larger ones get 413' -r
complete -c logseal -n "__fish_logseal_using_subcommand serve" -l max-concurrent -d 'Requests handled at once; more get 503' -r
complete -c logseal -n "__fish_logseal_using_subcommand serve" -l rate -d 'Records per second each signing key may append (bursts up to max(1, rate)); over it, 429. Unlimited when not given' -r
complete -c logseal -n "__fish_logseal_using_subcommand serve" -l witnesses -d 'Witness policy (JSON, as `checkpoint --witnesses`): every checkpoint is cosigned by the witnesses that answer before it is published' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand serve" -l tsa -d 'RFC 3161 time-stamping authority, as `checkpoint --tsa`: every checkpoint published is time-stamped (needs --tsa-cert)' -r
complete -c logseal -n "__fish_logseal_using_subcommand serve" -l tsa-cert -d 'The time-stamping authority\'s certificate, or its CA\'s (PEM), as `checkpoint --tsa-cert`' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c logseal -n "__fish_logseal_using_subcommand serve" -s V -l version -d 'Print version'
complete -c logseal -n "__fish_logseal_using_subcommand bench" -l records -d 'Records of the generated log (at least the demo scenario\'s 3,700)' -r
complete -c logseal -n "__fish_logseal_using_subcommand bench" -l dir -d 'Write the log here (must not exist or be empty; kept); default: a new temporary directory, deleted at the end unless --keep' -r -F
complete -c logseal -n "__fish_logseal_using_subcommand bench" -l keep -d 'Keep the temporary directory (its path is printed)'
complete -c logseal -n "__fish_logseal_using_subcommand bench" -l json -d 'Print the results as JSON'
complete -c logseal -n "__fish_logseal_using_subcommand bench" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c logseal -n "__fish_logseal_using_subcommand bench" -s V -l version -d 'Print version'
