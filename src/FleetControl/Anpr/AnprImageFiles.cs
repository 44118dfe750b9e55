using System.Globalization;
using System.Security.Cryptography;
using EdgeGateway.Contracts.Anpr;
using EdgeGateway.Contracts.V1;

namespace FleetControl.Anpr;

/// <summary>What both read stores share: image files under <c>{folder}/{yyyyMMdd}/{readId}-{kind}.jpg</c> and the capture record.</summary>
internal static class AnprImageFiles
{
    /// <summary>An image file written: its path relative to the image folder, its actual hash, whether that matches the capture hash.</summary>
    public readonly record struct Written(string RelativePath, string Actual, bool Ok);

    /// <summary>
    /// Writes the image (flushed) into the day folder of <paramref name="capturedAt"/>; null when the read id or kind
    /// cannot name a file.
    /// </summary>
    public static Written? Write(string imageFolder, AnprImage image, DateTimeOffset capturedAt)
    {
        if (!Guid.TryParse(image.ReadId, out _) || image.Kind is not ("plate" or "overview"))
        {
            return null;
        }

        var bytes = image.Data.Span;
        var actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var folder = Path.Combine(imageFolder, DayFolder(capturedAt));
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"{image.ReadId}-{image.Kind}.jpg");
        using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read))
        {
            file.Write(bytes);
            file.Flush(flushToDisk: true);
        }

        return new Written(Path.GetRelativePath(imageFolder, path), actual, string.Equals(actual, image.Sha256, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The folder name of a UTC day (<c>yyyyMMdd</c>).</summary>
    public static string DayFolder(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    /// <summary>The normalised VRM a read is searched by.</summary>
    public static string SearchVrm(AnprRead read) =>
        AnprVrm.Normalise(read.NormalisedVrm.Length > 0 ? read.NormalisedVrm : read.Vrm) ?? read.Vrm;

    /// <summary>The hit as stored: its images are files held through the read, so the row keeps only their hashes there.</summary>
    public static AnprHit WithoutImages(AnprHit hit)
    {
        var stored = hit.Clone();
        stored.Images.Clear();
        return stored;
    }

    /// <summary>The capture record; <paramref name="imageOk"/> gives, per kind, null when not held, else whether the hash matched.</summary>
    public static AnprReadRecord ToRecord(AnprRead read, string deviceId, string normalisedVrm, string messageId, Func<string, bool?> imageOk)
    {
        var images = read.Images.Select(i => new AnprImageRecord(i.Kind, i.Sha256, i.Size, imageOk(i.Kind) switch
        {
            null => "pending",
            true => "verified",
            false => "mismatch",
        })).ToList();
        return new AnprReadRecord(
            read.ReadId, deviceId, read.Vrm, normalisedVrm, Math.Round(read.Confidence, 4), read.Country, read.CameraId, read.Lane,
            read.CameraTime.ToDateTimeOffset(), read.ReceivedAt.ToDateTimeOffset(), read.ReceivedTimeSource,
            read.HasLatitude ? read.Latitude : null, read.HasLongitude ? read.Longitude : null, read.HasPositionAgeMs ? read.PositionAgeMs : null,
            images, messageId);
    }
}
