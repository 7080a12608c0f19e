namespace WcLayer.Oci;

/// <summary>What <see cref="TarArchiveWriter"/> writes for one entry: the fields of Go's <c>tar.Header</c> that Windows layers use.</summary>
internal sealed class TarHeader
{
    public const byte TypeRegular = (byte)'0';
    public const byte TypeHardLink = (byte)'1';
    public const byte TypeSymbolicLink = (byte)'2';
    public const byte TypeDirectory = (byte)'5';

    /// <summary>Unix mode type bits, as go-winio puts them in the mode field (no permission bits).</summary>
    public const long ModeRegular = 0x8000;   // 0100000
    public const long ModeDirectory = 0x4000; // 040000
    public const long ModeSymbolicLink = 0xA000; // 0120000

    public required string Name { get; set; }

    public byte TypeFlag { get; set; } = TypeRegular;

    public long Mode { get; set; }

    public long Size { get; set; }

    public string LinkName { get; set; } = string.Empty;

    /// <summary>Modification time, ns since the Unix epoch; <see langword="null"/> is Go's zero time (written as 0).</summary>
    public Int128? ModificationTime { get; set; }

    /// <summary>Access time; written as a PAX record when set.</summary>
    public Int128? AccessTime { get; set; }

    /// <summary>Change time; written as a PAX record when set.</summary>
    public Int128? ChangeTime { get; set; }

    /// <summary>Extra PAX records (MSWINDOWS.*, LIBARCHIVE.*). Any record forces the PAX format.</summary>
    public SortedDictionary<string, string> PaxRecords { get; } = new(Utf8OrdinalComparer.Instance);
}
