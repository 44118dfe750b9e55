namespace FleetControl.Auth;

/// <summary>
/// One audit record. <see cref="Previous"/> is the hash of the record before it (64 zeros for the first), so
/// the file is a hash chain: editing, removing or reordering a line breaks every hash after it.
/// </summary>
/// <param name="Sequence">1-based position in the log.</param>
/// <param name="Time">When it happened (UTC).</param>
/// <param name="Actor">Who: the account or token subject; for a failed sign-in, the name that was tried.</param>
/// <param name="Action">What, e.g. <c>evidence.viewed</c>, <c>signin.failed</c>, <c>account.added</c>.</param>
/// <param name="Target">On what, e.g. the evidence id or account name; may be empty.</param>
/// <param name="Outcome"><c>ok</c>, <c>failed</c>, <c>refused</c> or <c>locked</c>.</param>
/// <param name="Remote">The client's address, or <c>local</c> for the command line.</param>
/// <param name="Detail">Anything else worth keeping (never a secret).</param>
/// <param name="Previous">Hash of the previous record.</param>
internal sealed record AuditEntry(
    long Sequence,
    DateTimeOffset Time,
    string Actor,
    string Action,
    string Target,
    string Outcome,
    string Remote,
    string? Detail,
    string Previous);
