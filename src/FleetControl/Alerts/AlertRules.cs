namespace FleetControl.Alerts;

/// <summary>Rule names (the first part of an alert id).</summary>
internal static class AlertRules
{
    public const string Emergency = "emergency";
    public const string AlertMessage = "alert-message";
    public const string DataLoss = "data-loss";
    public const string Offline = "offline";
    public const string BacklogAge = "backlog-age";
    public const string DurabilityDegraded = "durability-degraded";
    public const string DockTransferFailing = "dock-transfer-failing";
    public const string ClockOffset = "clock-offset";
    public const string EvidenceVerificationFailed = "evidence-verification";
}
