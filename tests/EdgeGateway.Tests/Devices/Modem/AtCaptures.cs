using EdgeGateway.Testing;

namespace EdgeGateway.Tests.Devices.Modem;

/// <summary>The real modem captures in <c>../shared/testdata/at/</c> (gammu's test dumps).</summary>
internal static class AtCaptures
{
    public static string Directory => Path.Combine(TestData.Directory, "at");

    public static IEnumerable<string> All() =>
        System.IO.Directory.EnumerateFiles(Directory, "*.dump", SearchOption.AllDirectories).Order(StringComparer.Ordinal);

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var file in All())
        {
            data.Add(Path.GetRelativePath(Directory, file));
        }

        return data;
    }
}
