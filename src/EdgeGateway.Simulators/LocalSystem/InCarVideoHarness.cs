using System.Globalization;

namespace EdgeGateway.Simulators.LocalSystem;

/// <summary>
/// The local system's vehicles get the simulated trigger harness (<c>InCarVideo:Hardware=Simulated</c>): light bar,
/// siren, doors, gun-lock and officer button on GPIO lines, an
/// MPU6050 and an INA219 on I2C bus 1, and a scenario that a real shift might produce. The gateway's real
/// Iot.Device.Bindings drivers read the emulated registers; every trigger reaches FleetControl as an event.
/// </summary>
internal static class InCarVideoHarness
{
    /// <summary>The scenario every simulated vehicle plays (seconds after the gateway starts), staggered per vehicle.</summary>
    private static readonly string[] Scenario =
    [
        "# simulated trigger harness (see src/EdgeGateway/Devices/InCarVideo/README.md)",
        "{0}s light-bar on",
        "{1}s siren on",
        "{2}s accel 1.6",
        "{3}s siren off",
        "{4}s light-bar off",
        "{5}s door-driver on",
        "{6}s door-driver off",
        "{7}s officer-button press",
        "{8}s supply 11.2",
        "{9}s supply 12.8",
    ];

    /// <summary>Writes the vehicle's scenario into its directory and adds the harness settings.</summary>
    public static void Apply(Dictionary<string, string> settings, string vehicleDirectory, int vehicle)
    {
        Directory.CreateDirectory(vehicleDirectory);
        var scenario = Path.Combine(vehicleDirectory, "trigger-scenario.txt");
        var offset = 5 * (vehicle - 1);
        object[] at = [10 + offset, 15 + offset, 40 + offset, 50 + offset, 60 + offset, 70 + offset, 75 + offset, 80 + offset, 90 + offset, 100 + offset];
        File.WriteAllLines(scenario, Scenario.Select(line => string.Format(CultureInfo.InvariantCulture, line, at)));
        Inputs(settings, "Interrupt");
        Sensors(settings);
        settings["InCarVideo:ScenarioFile"] = scenario;
    }

    /// <summary>
    /// Starts <paramref name="cameras"/> simulated in-car cameras for the vehicle (ffmpeg test patterns over UDP, logs in
    /// the vehicle's directory) and points the gateway's recorder at them (<c>Video:*</c>): every trigger of the scenario
    /// then becomes a clip in FleetControl's vault.
    /// </summary>
    public static List<InCarCamera.InCarCameraSimulator> StartCameras(Dictionary<string, string> settings, string vehicleDirectory, int cameras)
    {
        string[] names = ["front", "rear", "cabin", "side"];
        var started = new List<InCarCamera.InCarCameraSimulator>();
        for (var i = 0; i < cameras; i++)
        {
            var port = FreeUdpPort();
            InCarCamera.InCarCameraSimulator camera;
            try
            {
                camera = InCarCamera.InCarCameraSimulator.Start(names[i], port, Path.Combine(vehicleDirectory, $"camera-{names[i]}.log"));
            }
            catch (System.ComponentModel.Win32Exception)
            {
                break; // no ffmpeg here (eng/install-prerequisites.sh installs it): the vehicle runs without cameras
            }

            started.Add(camera);
            var prefix = string.Create(CultureInfo.InvariantCulture, $"Video:Cameras:{i}:");
            settings[prefix + "Name"] = names[i];
            settings[prefix + "Url"] = camera.RecorderUrl;
        }

        if (started.Count > 0)
        {
            settings["Video:Enabled"] = "true";
            settings["Video:PairedBodyWornCameras:0"] = "BWV100001";
            settings["Video:MaxClipDuration"] = "00:02:00"; // the simulated drive is often above the speed trigger: clips every 2 minutes at most
        }

        return started;
    }

    private static int FreeUdpPort()
    {
        using var socket = new System.Net.Sockets.UdpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        return ((System.Net.IPEndPoint)socket.Client.LocalEndPoint!).Port;
    }

    /// <summary>The simulated harness with its five discrete inputs, edges seen as <paramref name="detection"/> (Interrupt or Poll).</summary>
    public static void Inputs(Dictionary<string, string> settings, string detection)
    {
        settings["InCarVideo:Enabled"] = "true";
        settings["InCarVideo:Hardware"] = "Simulated";
        settings["InCarVideo:Detection"] = detection;
        (string Source, int Pin, bool ActiveLow, bool Momentary)[] inputs =
        [
            ("light-bar", 17, false, false), ("siren", 27, false, false), ("door-driver", 22, true, false),
            ("gun-lock", 23, false, false), ("officer-button", 24, true, true),
        ];
        for (var i = 0; i < inputs.Length; i++)
        {
            var prefix = string.Create(CultureInfo.InvariantCulture, $"InCarVideo:Inputs:{i}:");
            settings[prefix + "Source"] = inputs[i].Source;
            settings[prefix + "Pin"] = inputs[i].Pin.ToString(CultureInfo.InvariantCulture);
            settings[prefix + "ActiveLow"] = inputs[i].ActiveLow ? "true" : "false";
            settings[prefix + "Momentary"] = inputs[i].Momentary ? "true" : "false";
        }
    }

    /// <summary>The MPU6050 (crash at 1.5 g, read every 20 ms), the INA219 and the 12 m/s speed trigger (sampled every second).</summary>
    public static void Sensors(Dictionary<string, string> settings)
    {
        settings["InCarVideo:Accelerometer:Enabled"] = "true";
        settings["InCarVideo:Supply:Enabled"] = "true";
        settings["InCarVideo:SpeedThresholdMps"] = "12";
    }
}
