namespace EdgeGateway.Devices.Modem;

/// <summary>
/// A decoded <c>+CREG</c>/<c>+CGREG</c>/<c>+CEREG</c> line (3GPP TS 27.007 clauses 7.2, 10.1.19, 10.1.22).
/// Fields absent from the line are null; fields present but unusable (an empty LAC, a broken quote)
/// are null and named in <see cref="InvalidFields"/>.
/// </summary>
/// <param name="Mode">The <c>&lt;n&gt;</c> of a read-command reply (<c>AT+CREG?</c>); null in an unsolicited line.</param>
/// <param name="Stat">Registration state: 0 not searching, 1 home, 2 searching, 3 denied, 4 unknown, 5 roaming, 6-11 (SMS-only, emergency-only...).</param>
/// <param name="Lac">Location/tracking area code (hex on the wire).</param>
/// <param name="CellId">Cell id (hex on the wire; 28 bits in LTE, 36 in NR).</param>
/// <param name="AccessTechnology">&lt;AcT&gt;: 0 GSM, 2 UTRAN, 7 E-UTRAN, 13 NR...</param>
/// <param name="InvalidFields">Names of fields present but not decodable: <c>stat</c>, <c>lac</c>, <c>ci</c>, <c>act</c>.</param>
internal sealed record RegistrationReport(int? Mode, int? Stat, long? Lac, long? CellId, int? AccessTechnology, IReadOnlyList<string> InvalidFields)
{
    /// <summary>Registered on the home network or roaming (stat 1 or 5, or their SMS-only/CSFB variants 6, 7, 9, 10).</summary>
    public bool IsRegistered => Stat is 1 or 5 or 6 or 7 or 9 or 10;

    /// <summary>Whether <paramref name="name"/> (upper case, no prefix) is a registration reply this type decodes.</summary>
    public static bool IsRegistrationName(string? name) => name is "CREG" or "CGREG" or "CEREG" or "C5GREG";

    /// <summary>
    /// Decodes the parameters of a registration line. <paramref name="solicited"/> says the line answers a
    /// read command, whose first field is <c>&lt;n&gt;</c>; the line's own shape overrides it where it is
    /// unambiguous (a quoted second field is a LAC, so the first is the state).
    /// </summary>
    public static RegistrationReport Parse(ReadOnlySpan<byte> parameters, bool solicited)
    {
        Span<Slot> slots = stackalloc Slot[6];
        var count = 0;
        var fields = new AtFieldReader(parameters);
        while (count < slots.Length && fields.TryNext(out var field))
        {
            slots[count++] = Slot.Of(field);
        }

        var withMode = count >= 2 && HasModeFirst(slots[..count], solicited);
        var at = withMode ? 1 : 0;
        var invalid = new List<string>(0);
        int? mode = null;
        if (withMode)
        {
            mode = slots[0].Int;
        }

        int? stat = Decode(slots, count, at, "stat", invalid, static s => s.Int);
        long? lac = DecodeLong(slots, count, at + 1, "lac", invalid);
        long? ci = DecodeLong(slots, count, at + 2, "ci", invalid);
        int? act = Decode(slots, count, at + 3, "act", invalid, static s => s.Int);
        return new RegistrationReport(mode, stat, lac, ci, act, invalid);
    }

    private static bool HasModeFirst(ReadOnlySpan<Slot> slots, bool solicited)
    {
        var second = slots[1];
        if (second.Quoted || second.Malformed && second.Quoted)
        {
            return false; // "+CREG: 1,"2AF5",..." : state, then a quoted LAC
        }

        if (solicited)
        {
            return true;
        }

        // Unsolicited: "<stat>,<lac>,<ci>..." unless the second field is a small decimal (a state after <n>).
        return second.Int is >= 0 and <= 11 && second.Length <= 2;
    }

    private static int? Decode(ReadOnlySpan<Slot> slots, int count, int index, string name, List<string> invalid, Func<Slot, int?> value)
    {
        if (index >= count || slots[index].Empty)
        {
            if (index < count && slots[index].Malformed)
            {
                invalid.Add(name);
            }

            return null;
        }

        var result = value(slots[index]);
        if (result is null)
        {
            invalid.Add(name);
        }

        return result;
    }

    private static long? DecodeLong(ReadOnlySpan<Slot> slots, int count, int index, string name, List<string> invalid)
    {
        if (index >= count)
        {
            return null;
        }

        var slot = slots[index];
        if (slot.Hex is { } hex)
        {
            return hex;
        }

        // An empty LAC in the position of a required one ("2,1,"","605F") is a broken reply, not an omission,
        // when a later field is present.
        if (slot.Empty && !slot.Malformed && index + 1 >= count)
        {
            return null;
        }

        invalid.Add(name);
        return null;
    }

    /// <summary>What one field decoded to, kept on the stack so the field spans need not outlive the reader.</summary>
    private readonly struct Slot
    {
        public int? Int { get; init; }

        public long? Hex { get; init; }

        public bool Quoted { get; init; }

        public bool Malformed { get; init; }

        public bool Empty { get; init; }

        public int Length { get; init; }

        public static Slot Of(in AtField field) => new()
        {
            Int = field.TryInt(out var i) ? i : null,
            Hex = field.TryHex(out var h) ? h : null,
            Quoted = field.Quoted,
            Malformed = field.Malformed,
            Empty = field.IsEmpty,
            Length = field.Value.Length,
        };
    }
}
