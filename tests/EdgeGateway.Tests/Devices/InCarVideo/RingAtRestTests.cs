using EdgeGateway.Devices.InCarVideo.Recording;

namespace EdgeGateway.Tests.Devices.InCarVideo;

/// <summary>The pre-event ring's protection at rest is its filesystem's: a tmpfs or device-mapper (LUKS), else a warning.</summary>
public sealed class RingAtRestTests
{
    [Fact]
    public void MountOf_LongestMountPrefix_TmpfsAndDeviceMapperProtected_PlainDiskNot()
    {
        using var dir = new TempDirectory();
        var info = Path.Combine(dir.Path, "mountinfo");
        File.WriteAllLines(info,
        [
            "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard",
            "40 27 254:1 / /var/lib/edgegateway rw,relatime shared:1 - ext4 /dev/mapper/vehicle-crypt rw",
            "41 40 0:50 / /var/lib/edgegateway/video/ring rw,nosuid,nodev - tmpfs tmpfs rw,size=1126400k,mode=700",
            "42 27 0:51 / /var/lib/edgegateway-old rw - ext4 /dev/vdb rw",
        ]);

        Assert.Equal(("/var/lib/edgegateway/video/ring", "tmpfs", "tmpfs"), RingAtRest.MountOf("/var/lib/edgegateway/video/ring/front", info));
        Assert.Equal(("/var/lib/edgegateway", "ext4", "/dev/mapper/vehicle-crypt"), RingAtRest.MountOf("/var/lib/edgegateway/video/incidents", info));
        Assert.Equal(("/", "ext4", "/dev/vda"), RingAtRest.MountOf("/var/lib/edgegateway-other/video/ring", info)); // a prefix of a name is not its mount
        Assert.True(RingAtRest.Protected("tmpfs", "tmpfs"));
        Assert.True(RingAtRest.Protected("ext4", "/dev/mapper/vehicle-crypt"));
        Assert.False(RingAtRest.Protected("ext4", "/dev/vda"));
        Assert.Null(RingAtRest.MountOf("/x", Path.Combine(dir.Path, "missing")));
    }
}
