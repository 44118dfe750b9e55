namespace EdgeGateway.Outbox.Salvage;

/// <summary>What a salvage of one quarantined outbox file recovered and lost.</summary>
/// <param name="File">The quarantined data file.</param>
/// <param name="Recovered">Intact messages re-enqueued (or already present) per class, indexed like <see cref="OutboxClassDefaults.All"/>.</param>
/// <param name="Lost">Messages counted as lost (unreadable) per class.</param>
/// <param name="LostUnknownClass">Damaged message documents whose class could not be read (only counted when the file's own counts were unreadable).</param>
/// <param name="ExpectedFromState">Messages the file's state document said it held, or null if that document was unreadable.</param>
internal sealed record SalvageResult(string File, long[] Recovered, long[] Lost, long LostUnknownClass, long? ExpectedFromState)
{
    /// <summary>Every message recovered.</summary>
    public long RecoveredTotal => Recovered.Sum();

    /// <summary>Every message lost.</summary>
    public long LostTotal => Lost.Sum() + LostUnknownClass;
}
