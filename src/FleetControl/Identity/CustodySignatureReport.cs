namespace FleetControl.Identity;

/// <summary>What <see cref="CustodyTrust.Check"/> found: each entry whose signature does not hold, and who signed what.</summary>
/// <param name="Problems">One line per failing entry, naming it (empty when every signature holds).</param>
/// <param name="Signers">The signer of each run of entries, e.g. <c>dock-01 (0-6), fleetcontrol-vault (7-9)</c>.</param>
internal sealed record CustodySignatureReport(IReadOnlyList<string> Problems, string Signers);
