using System.ComponentModel.DataAnnotations;
using System.Net;

namespace FleetControl.Hosting;

/// <summary>Where FleetControl listens and keeps its data (configuration section <c>FleetControl</c>).</summary>
internal sealed class FleetControlOptions : IValidatableObject
{
    public const string SectionName = "FleetControl";

    /// <summary>REST API port (HTTP/1.1). 0 picks a free port.</summary>
    [Range(0, 65535, ErrorMessage = "FleetControl:HttpPort must be 0-65535.")]
    public int HttpPort { get; set; } = 5080;

    /// <summary>gRPC port (HTTP/2, mutual TLS unless Identity:DevelopmentPlaintext). 0 picks a free port.</summary>
    [Range(0, 65535, ErrorMessage = "FleetControl:GrpcPort must be 0-65535.")]
    public int GrpcPort { get; set; } = 5081;

    /// <summary>Address the REST and gRPC endpoints bind to; 0.0.0.0 to serve other machines.</summary>
    [Required(ErrorMessage = "FleetControl:BindAddress is required.")]
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>Directory of the store (fleet.db) and other state.</summary>
    [Required(ErrorMessage = "FleetControl:DataDirectory is required.")]
    public string DataDirectory { get; set; } = "fleet-data";

    /// <summary>Upper bound of envelopes the ingest writer commits in one store transaction.</summary>
    [Range(1, 1_000_000, ErrorMessage = "FleetControl:MaxEnvelopesPerCommit must be 1-1000000.")]
    public int MaxEnvelopesPerCommit { get; set; } = 5000;

    /// <summary>
    /// How long one ingest commit of backlog should last: the writer sizes its backlog commits to it (between 250
    /// and <see cref="MaxEnvelopesPerCommit"/> envelopes). Emergency and Alert do not wait for it (they have a
    /// commit lane of their own); backlog that arrives meanwhile does. Shorter means less waiting and more fsyncs per envelope.
    /// </summary>
    public TimeSpan CommitDurationTarget { get; set; } = TimeSpan.FromMilliseconds(25);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IPAddress.TryParse(BindAddress, out _))
        {
            yield return new ValidationResult(
                $"FleetControl:BindAddress '{BindAddress}' is not an IP address.", [nameof(BindAddress)]);
        }

        if (CommitDurationTarget <= TimeSpan.Zero || CommitDurationTarget > TimeSpan.FromSeconds(10))
        {
            yield return new ValidationResult(
                $"FleetControl:CommitDurationTarget must be more than 0 and at most 00:00:10 (was {CommitDurationTarget}).", [nameof(CommitDurationTarget)]);
        }

        if (HttpPort != 0 && HttpPort == GrpcPort)
        {
            yield return new ValidationResult(
                "FleetControl:HttpPort and FleetControl:GrpcPort must differ.", [nameof(HttpPort), nameof(GrpcPort)]);
        }
    }
}
