using System.ComponentModel.DataAnnotations;

namespace EdgeGateway.Health.Metrics;

/// <summary>Section <c>Metrics</c>: the opt-in Prometheus endpoint (<c>GET /metrics</c>).</summary>
internal sealed class MetricsOptions
{
    public const string SectionName = "Metrics";

    /// <summary>Serve the endpoint. Off by default: a vehicle is usually scraped through FleetControl, not directly.</summary>
    public bool Enabled { get; set; }

    /// <summary>The address to listen on; loopback unless the site opens it on purpose (e.g. to a depot's Prometheus).</summary>
    [Required]
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>The TCP port (9464 is the usual exporter port).</summary>
    [Range(1, 65535)]
    public int Port { get; set; } = 9464;
}
