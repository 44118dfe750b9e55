namespace EdgeGateway.Devices.Anpr.Hotlists;

/// <summary>How loosely a read may match a hotlist entry.</summary>
public enum FuzzyLevel
{
    /// <summary>The normalised VRMs must be equal.</summary>
    None,

    /// <summary>Also equal once the common OCR confusions are folded together (O/0, I/1, B/8, S/5, Z/2, G/6).</summary>
    Ocr,
}
