namespace EdgeGateway.Evidence;

/// <summary>What happens to a recording on the camera once FleetControl holds a verified copy.</summary>
public enum CameraRetentionPolicy
{
    /// <summary>Delete the recording and its sidecar from the camera.</summary>
    Delete,

    /// <summary>Leave it on the camera (it is remembered as offloaded and not sent again).</summary>
    Keep,
}
