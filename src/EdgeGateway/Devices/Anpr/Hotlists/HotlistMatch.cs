namespace EdgeGateway.Devices.Anpr.Hotlists;

/// <summary>A read that matched an entry of a <see cref="Hotlist"/>; resolves the entry's details on demand (only hits pay for strings).</summary>
internal readonly record struct HotlistMatch(Hotlist Hotlist, int Index, bool Exact)
{
    /// <summary>The VRM on the list (normalised).</summary>
    public string EntryVrm => Hotlist.VrmAt(Index);

    public string List => Hotlist.MetaAt(Index).List;

    public string Reason => Hotlist.MetaAt(Index).Reason;

    public IReadOnlyList<string> Markers => Hotlist.MetaAt(Index).Markers;

    /// <summary>"exact" or "fuzzy".</summary>
    public string Kind => Exact ? "exact" : "fuzzy";
}
