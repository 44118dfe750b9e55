using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EdgeGateway.Contracts;
using EdgeGateway.Hosting;

namespace EdgeGateway.Devices.InCarVideo.Recording;

/// <summary>Incidents on disk: <c>{Video:Directory}/incidents/{id}.json</c>, each written atomically and durably.</summary>
internal sealed class IncidentStore(string directory)
{
    private static readonly JsonSerializerOptions Json = GatewayJson.With(new(JsonSerializerDefaults.Web) { WriteIndented = true });

    public string Directory { get; } = directory;

    public IReadOnlyList<Incident> LoadAll()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return [];
        }

        var list = new List<Incident>();
        foreach (var path in System.IO.Directory.EnumerateFiles(Directory, "*.json").Order(StringComparer.Ordinal))
        {
            try
            {
                if (JsonSerializer.Deserialize(File.ReadAllBytes(path), Json.Info<Incident>()) is { Id.Length: > 0 } incident)
                {
                    list.Add(incident);
                }
            }
            catch (JsonException)
            {
                // Written atomically: only a foreign file gets here.
            }
        }

        return list;
    }

    public void Save(Incident incident)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var path = Path.Combine(Directory, incident.Id + ".json");
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(JsonSerializer.SerializeToUtf8Bytes(incident, Json.Info<Incident>()));
            stream.Flush(true);
        }

        File.Move(temp, path, overwrite: true);
    }

    public void Delete(Incident incident) => File.Delete(Path.Combine(Directory, incident.Id + ".json"));

    /// <summary>The evidence id of one camera's clip of one incident (length-prefixed fields, like every evidence id).</summary>
    public static string ClipEvidenceId(string deviceId, string incidentId, string camera)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[4];
        foreach (var field in (ReadOnlySpan<string>)["clip1", deviceId, incidentId, camera])
        {
            var bytes = Encoding.UTF8.GetBytes(field);
            BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
            hash.AppendData(length);
            hash.AppendData(bytes);
        }

        return "ev-" + Convert.ToHexStringLower(hash.GetHashAndReset().AsSpan(0, 16));
    }
}
