using EdgeGateway.Contracts.V1;
using EdgeGateway.Devices.Gnss.Nmea;

namespace EdgeGateway.Devices.Gnss;

/// <summary>
/// Merges the sentences of one receiver reporting cycle into a <see cref="GnssFix"/>, following gpsd's
/// NMEA driver: a cycle is the run of sentences sharing one UTC timestamp (time-less GSA/GSV/VTG join
/// the current cycle); when a sentence with a new timestamp arrives, the previous cycle is complete.
/// The mode rules mirror gpsd's (GGA: position and satellite count; GSA: the receiver's own mode;
/// RMC/GLL: "at least 2D", promoted to 3D by altitude or more than 3 satellites used), because the
/// captures' gpsd output is our oracle. Not thread-safe; one instance per receiver.
/// </summary>
internal sealed class GnssFixMerger
{
    private const double InvalidDop = 99.0;
    private const int GpsWeekRolloverDays = 1024 * 7;

    private readonly DateOnly? _referenceDate;

    // Persistent receiver state (survives cycles, as in gpsd's session).
    private DateOnly? _date;
    private FixMode _mode = FixMode.Unspecified;
    private int _satellitesUsed;
    private double? _hdop;
    private double? _vdop;
    private double? _pdop;
    private bool _seenNonGpsGsa;
    private byte _lastGgaTalker;
    private TimeSpan? _lastGgaTime;
    private bool _latchNoFix;
    private GnssFix? _lastFix;
    private GnssFix? _fixBeforeLast;

    // Per-cycle state.
    private bool _cycleOpen;
    private TimeSpan? _cycleTimeOfDay;
    private DateTimeOffset? _cycleTime;
    private double? _latitude;
    private double? _longitude;
    private double? _altitude;
    private double? _speed;
    private double? _track;
    private byte _lastGsaTalker;
    private int? _satellitesVisible;

    /// <summary>
    /// <paramref name="referenceDate"/> is a date known to be roughly right (the host clock, a capture's
    /// "# Date:" header). Receivers with the GPS week-rollover bug report dates 1024 weeks (19.6 years)
    /// early; a date more than 512 weeks before the reference is moved forward by 1024 weeks. Null: trust
    /// the receiver's date as sent.
    /// </summary>
    public GnssFixMerger(DateOnly? referenceDate = null)
    {
        _referenceDate = referenceDate is { Year: >= 1990 } ? referenceDate : null; // an unset RTC says 1970
    }

    /// <summary>Dated sentences (RMC/ZDA) moved forward by 1024 weeks (receiver week-rollover bug).</summary>
    public long RolloverCorrections { get; private set; }

    /// <summary>Sentences that passed the checksum but whose fields could not be used.</summary>
    public long InvalidFields { get; private set; }

    /// <summary>
    /// Merges one sentence. Returns true with the completed previous cycle when this sentence starts a
    /// new one.
    /// </summary>
    public bool Accept(in NmeaSentence sentence, out GnssFix completed)
    {
        completed = default;
        if (sentence.FieldCount < MinimumFieldCount(sentence.Type))
        {
            InvalidFields++; // too short to trust any field (gpsd ignores these too)
            return false;
        }

        var emitted = false;
        if (TryGetSentenceTime(sentence, out var timeOfDay)
            && _cycleOpen && _cycleTimeOfDay is { } current && current != timeOfDay)
        {
            emitted = TryFlush(out completed);
        }

        _cycleOpen = true;
        if (sentence.Type != NmeaSentenceType.Gsa)
        {
            _lastGsaTalker = 0; // only consecutive GSAs accumulate used satellites
        }

        var modeBefore = _mode;
        switch (sentence.Type)
        {
            case NmeaSentenceType.Gga: MergeGga(sentence); break;
            case NmeaSentenceType.Rmc: MergeRmc(sentence); break;
            case NmeaSentenceType.Gll: MergeGll(sentence); break;
            case NmeaSentenceType.Vtg: MergeVtg(sentence); break;
            case NmeaSentenceType.Gsa: MergeGsa(sentence); break;
            case NmeaSentenceType.Zda: MergeZda(sentence); break;
            case NmeaSentenceType.Gns: MergeGns(sentence); break;
            case NmeaSentenceType.Gsv: MergeGsv(sentence); break;
        }

        // As gpsd: once 3D with a known altitude, a sentence that says "2D" (RMC, GLL and some GSAs
        // cannot tell 3D) does not downgrade the fix; only "no fix" does.
        if (modeBefore == FixMode._3D && _mode == FixMode._2D
            && (_altitude is not null || _lastFix?.AltitudeMsl is not null || _fixBeforeLast?.AltitudeMsl is not null))
        {
            _mode = FixMode._3D;
        }

        return emitted;
    }

    /// <summary>Completes the open cycle (end of stream, disconnect). False when nothing was open.</summary>
    public bool TryFlush(out GnssFix completed)
    {
        completed = default;
        if (!_cycleOpen)
        {
            return false;
        }

        var fix = new GnssFix
        {
            Time = _cycleTime,
            Mode = _mode,
            Latitude = _latitude,
            Longitude = _longitude,
            AltitudeMsl = _altitude,
            SpeedMps = _speed,
            TrackDegrees = _track,
            SatellitesUsed = _satellitesUsed,
            SatellitesVisible = _satellitesVisible,
            Hdop = _hdop,
            Vdop = _vdop,
            Pdop = _pdop,
        };

        if (fix.SpeedMps is null && DerivedSpeed(fix) is { } derived)
        {
            fix = fix with { SpeedMps = derived, SpeedDerived = true };
        }

        completed = fix;
        _fixBeforeLast = _lastFix;
        _lastFix = fix;
        _cycleOpen = false;
        _cycleTimeOfDay = null;
        _cycleTime = null;
        _latitude = _longitude = _altitude = _speed = _track = null;
        _satellitesVisible = null;
        _lastGsaTalker = 0;
        return true;
    }

    /// <summary>Like gpsd, a cycle without a reported speed gets one from the distance to the previous fix.</summary>
    private double? DerivedSpeed(in GnssFix fix)
    {
        if (_lastFix is not { } last || !last.HasPosition || !fix.HasPosition
            || last.Time is not { } t0 || fix.Time is not { } t1)
        {
            return null;
        }

        var seconds = (t1 - t0).TotalSeconds;
        if (seconds <= 0 || seconds > 60)
        {
            return null;
        }

        return GeoMath.DistanceMetres(last.Latitude!.Value, last.Longitude!.Value, fix.Latitude!.Value, fix.Longitude!.Value) / seconds;
    }

    /// <summary>Fields (including the address) a sentence needs before it is used at all; gpsd's minimums.</summary>
    private static int MinimumFieldCount(NmeaSentenceType type) => type switch
    {
        NmeaSentenceType.Gga or NmeaSentenceType.Gns => 13,
        NmeaSentenceType.Gsa => 18,
        NmeaSentenceType.Rmc => 8,
        NmeaSentenceType.Gll => 7,
        NmeaSentenceType.Vtg => 5,
        NmeaSentenceType.Zda => 4,
        _ => 4,
    };

    private static bool TryGetSentenceTime(in NmeaSentence s, out TimeSpan timeOfDay)
    {
        var field = s.Type switch
        {
            NmeaSentenceType.Gga or NmeaSentenceType.Rmc or NmeaSentenceType.Zda or NmeaSentenceType.Gns => s[1],
            NmeaSentenceType.Gll => s[5],
            _ => [],
        };
        return NmeaField.TryParseTimeOfDay(field, out timeOfDay);
    }

    /// <summary>Sets the cycle's time of day; the fix gets a full time once a date is known.</summary>
    private void MergeTime(TimeSpan timeOfDay)
    {
        if (_cycleTimeOfDay is null && _lastFix?.Time is { } previous && _date is { } date
            && timeOfDay < previous.TimeOfDay - TimeSpan.FromHours(12)
            && DateOnly.FromDateTime(previous.UtcDateTime) == date)
        {
            _date = date.AddDays(1); // midnight passed since the last dated sentence
        }

        _cycleTimeOfDay = timeOfDay;
        _cycleTime = _date is { } d ? new DateTimeOffset(d.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) + timeOfDay : null;
    }

    private DateOnly CorrectRollover(DateOnly date)
    {
        if (_referenceDate is not { } reference)
        {
            return date;
        }

        while (date.DayNumber < reference.DayNumber - (GpsWeekRolloverDays / 2) && date.Year < 2150)
        {
            date = date.AddDays(GpsWeekRolloverDays);
            RolloverCorrections++;
        }

        return date;
    }

    private void NoteTimeOnly(in NmeaSentence s, int field)
    {
        if (NmeaField.TryParseTimeOfDay(s[field], out var tod))
        {
            MergeTime(tod);
        }
    }

    private void MergeGga(in NmeaSentence s)
    {
        var talker = s.TalkerKind;
        var hasTime = NmeaField.TryParseTimeOfDay(s[1], out var tod);

        // A receiver that lost lock may repeat the last timestamp; treat that as no fix (gpsd's latch).
        _latchNoFix = _lastGgaTalker == talker && hasTime && _lastGgaTime == tod;
        _lastGgaTalker = talker;
        if (!_latchNoFix)
        {
            _lastGgaTime = hasTime ? tod : null;
        }

        if (hasTime)
        {
            MergeTime(tod);
        }

        if (_latchNoFix)
        {
            _mode = FixMode.NoFix;
            return;
        }

        var satellites = NmeaField.LeadingInt(s[7]);
        if (NmeaField.TryParseCoordinate(s[2], s[3], latitude: true, out var lat)
            && NmeaField.TryParseCoordinate(s[4], s[5], latitude: false, out var lon))
        {
            _latitude = lat;
            _longitude = lon;
            _mode = FixMode._2D;
            if (!s[9].IsEmpty && NmeaField.TryParseDouble(s[9], out var alt))
            {
                _altitude = alt;
                if (satellites >= 4)
                {
                    _mode = FixMode._3D;
                }
            }

            if (satellites < 3)
            {
                _mode = FixMode.NoFix;
            }
        }
        else
        {
            CountInvalidIfPresent(s[2]);
            _mode = FixMode.NoFix;
        }

        if (NmeaField.TryParseDouble(s[8], out var hdop) && hdop < InvalidDop)
        {
            _hdop = hdop;
        }
    }

    private void MergeRmc(in NmeaSentence s)
    {
        var status = s[2];
        if (status.Length != 1 || status[0] is not ((byte)'A' or (byte)'D'))
        {
            NoteTimeOnly(s, 1);
            _mode = FixMode.NoFix;
            return;
        }

        if (NmeaField.TryParseTimeOfDay(s[1], out var tod) && NmeaField.TryParseDdMmYy(s[9], out var date))
        {
            _date = CorrectRollover(date);
            MergeTime(tod);
        }
        else
        {
            NoteTimeOnly(s, 1);
        }

        if (NmeaField.TryParseCoordinate(s[3], s[4], latitude: true, out var lat)
            && NmeaField.TryParseCoordinate(s[5], s[6], latitude: false, out var lon))
        {
            _latitude = lat;
            _longitude = lon;
            var lastMode = _lastFix?.Mode ?? FixMode.Unspecified;
            _mode = lastMode == FixMode._3D ? FixMode._3D : FixMode._2D;
        }
        else
        {
            InvalidFields++;
            _mode = FixMode.NoFix;
        }

        if (NmeaField.TryParseDouble(s[7], out var knots))
        {
            _speed = knots * NmeaField.KnotsToMetresPerSecond;
        }

        if (NmeaField.TryParseDouble(s[8], out var track))
        {
            _track = track;
        }

        // Receivers that only send RMC still get a sensible mode.
        if (_satellitesUsed > 3 || _altitude is not null)
        {
            _mode = FixMode._3D;
        }
    }

    private void MergeGll(in NmeaSentence s)
    {
        NoteTimeOnly(s, 5);
        var status = s[6];
        var faa = s[7];
        if (status.Length == 1 && status[0] == (byte)'A' && !(faa.Length == 1 && faa[0] == (byte)'N')
            && NmeaField.TryParseCoordinate(s[1], s[2], latitude: true, out var lat)
            && NmeaField.TryParseCoordinate(s[3], s[4], latitude: false, out var lon))
        {
            _latitude = lat;
            _longitude = lon;
            if (_altitude is not null || _satellitesUsed > 3)
            {
                _mode = FixMode._3D;
            }
            else if (_mode is not (FixMode._2D or FixMode._3D) || _lastFix?.AltitudeMsl is null)
            {
                _mode = FixMode._2D;
            }
        }
        else
        {
            _mode = FixMode.NoFix;
        }
    }

    private void MergeVtg(in NmeaSentence s)
    {
        if (s[1].IsEmpty || s[5].IsEmpty)
        {
            return;
        }

        var faa = s[9];
        if (faa.Length == 1 && faa[0] is (byte)'E' or (byte)'N')
        {
            return;
        }

        if (NmeaField.TryParseDouble(s[1], out var track) && NmeaField.TryParseDouble(s[5], out var knots))
        {
            _track = track;
            _speed = knots * NmeaField.KnotsToMetresPerSecond;
        }
        else
        {
            InvalidFields++;
        }
    }

    private void MergeGsa(in NmeaSentence s)
    {
        // "$GPGSA,A,1,,,,*32" and similar short forms carry nothing usable; a repeated GGA time means
        // the receiver is stuck, so its GSA is not trusted either.
        if (s.FieldCount < 18 || _latchNoFix)
        {
            return;
        }

        var talker = s.TalkerKind;
        var mode = NmeaField.LeadingInt(s[2]);
        var first = _lastGsaTalker == 0;

        // With GPS plus other constellations, GPGSA describes only GPS; the GN/GL/BD one carries the mode.
        var ignoreMode = _seenNonGpsGsa && talker == (byte)'P';
        if (talker != (byte)'P')
        {
            _seenNonGpsGsa = true;
        }

        if (!ignoreMode && mode is >= 1 and <= 3 && s[2][0] != (byte)'E')
        {
            _mode = (FixMode)mode;
        }

        if (s.FieldCount <= 19)
        {
            if (NmeaField.TryParseDouble(s[15], out var pdop) && pdop < InvalidDop)
            {
                _pdop = pdop;
            }

            if (NmeaField.TryParseDouble(s[16], out var hdop) && hdop < InvalidDop)
            {
                _hdop = hdop;
            }

            if (NmeaField.TryParseDouble(s[17], out var vdop) && vdop < InvalidDop)
            {
                _vdop = vdop;
            }
        }

        // Several GSAs in one cycle (one per constellation) add up their used satellites.
        if (first || (talker == _lastGsaTalker && talker != (byte)'N'))
        {
            _satellitesUsed = 0;
        }

        _lastGsaTalker = talker;
        var lastPrnField = s.FieldCount == 19 ? 14 : s.FieldCount - 4; // 19 fields: NMEA 4.10 system id last
        for (var i = 3; i <= lastPrnField; i++)
        {
            if (NmeaField.LeadingInt(s[i]) > 0)
            {
                _satellitesUsed++;
            }
        }
    }

    /// <summary>GSV: only the in-view count matters for the fix; each constellation's set adds its own.</summary>
    private void MergeGsv(in NmeaSentence s)
    {
        if (!NmeaField.TryParseInt(s[1], out var parts) || !NmeaField.TryParseInt(s[2], out var part)
            || part < 1 || part > parts || !NmeaField.TryParseInt(s[3], out var inView) || inView < 0)
        {
            InvalidFields++;
            return;
        }

        if (part == 1)
        {
            _satellitesVisible = (_satellitesVisible ?? 0) + inView;
        }
    }

    private void MergeZda(in NmeaSentence s)
    {
        if (NmeaField.TryParseTimeOfDay(s[1], out var tod)
            && NmeaField.TryParseInt(s[2], out var day)
            && NmeaField.TryParseInt(s[3], out var month)
            && NmeaField.TryParseInt(s[4], out var year)
            && NmeaField.TryMakeDate(year, month, day, out var date))
        {
            _date = CorrectRollover(date);
            MergeTime(tod);
        }
        else
        {
            InvalidFields++;
        }
    }

    private void MergeGns(in NmeaSentence s)
    {
        NoteTimeOnly(s, 1);
        var modes = s[6];
        if (modes.IsEmpty || modes[0] == (byte)'N')
        {
            _mode = FixMode.NoFix;
            return;
        }

        var navStatus = s[13];
        if (navStatus.Length == 1 && navStatus[0] is (byte)'U' or (byte)'V')
        {
            return;
        }

        var satellites = NmeaField.LeadingInt(s[7]);
        if (NmeaField.TryParseCoordinate(s[2], s[3], latitude: true, out var lat)
            && NmeaField.TryParseCoordinate(s[4], s[5], latitude: false, out var lon))
        {
            _latitude = lat;
            _longitude = lon;
            _mode = FixMode._2D;
            if (NmeaField.TryParseDouble(s[9], out var alt))
            {
                _altitude = alt;
                if (satellites > 3)
                {
                    _mode = FixMode._3D;
                }
            }
        }
        else
        {
            _mode = FixMode.NoFix;
        }

        if (NmeaField.TryParseDouble(s[8], out var hdop) && hdop < InvalidDop)
        {
            _hdop = hdop;
        }
    }

    private void CountInvalidIfPresent(ReadOnlySpan<byte> field)
    {
        if (!field.IsEmpty)
        {
            InvalidFields++;
        }
    }
}
