using System.Globalization;

namespace EdgeGateway.Simulators.Anpr;

/// <summary>
/// Realistic UK registration marks: mostly the current format (memory tag, age identifier, three random
/// letters: <c>AB12 CDE</c>, <c>AB62 CDE</c>), some prefix (<c>A123 BCD</c>), suffix (<c>ABC 123D</c>) and dateless
/// (<c>ABC 123</c>) marks. I, Q and Z are not used where DVLA does not issue them.
/// </summary>
internal static class UkPlates
{
    private const string Letters = "ABCDEFGHJKLMNOPRSTUVWXY"; // no I, Q, Z
    private const string PrefixLetters = "ABCDEFGHJKLMNPRSTVWXY";

    public static string Next(Random random)
    {
        var kind = random.Next(100);
        if (kind < 85)
        {
            var year = random.Next(2) == 0 ? random.Next(2, 26) : random.Next(51, 76);
            return string.Create(CultureInfo.InvariantCulture, $"{L(random)}{L(random)}{year:00} {L(random)}{L(random)}{L(random)}");
        }

        if (kind < 93)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{PrefixLetters[random.Next(PrefixLetters.Length)]}{random.Next(1, 999)} {L(random)}{L(random)}{L(random)}");
        }

        if (kind < 98)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{L(random)}{L(random)}{L(random)} {random.Next(1, 999)}{PrefixLetters[random.Next(PrefixLetters.Length)]}");
        }

        return string.Create(CultureInfo.InvariantCulture, $"{L(random)}{L(random)}{L(random)} {random.Next(1, 9999)}");
    }

    private static char L(Random random) => Letters[random.Next(Letters.Length)];
}
