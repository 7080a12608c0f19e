using System.Formats.Tar;
using System.Globalization;
using WcLayer.Win32;

namespace WcLayer.Oci;

/// <summary>
/// Reads a Windows layer tar (hcsshim, moby, containerd, BuildKit, go-containerregistry, the .NET SDK, libarchive or
/// GNU tar output) entry by entry, decoding the Windows metadata of each entry. Data is streamed, never buffered.
/// </summary>
/// <remarks>
/// Malformed input throws <see cref="InvalidDataException"/> naming the entry. Entry names are validated: absolute
/// names, <c>..</c> components, backslashes and NULs are rejected, so nothing read here can point outside a layer.
/// PAX global headers are skipped.
/// </remarks>
public sealed class LayerTarReader : IDisposable, IAsyncDisposable
{
    private readonly TarIntegrityStream _integrity;
    private readonly TarReader _reader;
    private bool _ended;
    private string? _streamOwner;
    private long _index;
    // Layers repeat a few descriptors over thousands of entries: the last one is decoded and checked once.
    private string? _lastRawSecurityDescriptor;
    private byte[]? _lastSecurityDescriptor;

    /// <summary>Creates a reader over an uncompressed tar stream.</summary>
    /// <param name="tar">The tar bytes; it need not be seekable.</param>
    /// <param name="leaveOpen">Leave <paramref name="tar"/> open when this reader is disposed.</param>
    public LayerTarReader(Stream tar, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(tar);
        _integrity = new TarIntegrityStream(tar, leaveOpen);
        _reader = new TarReader(_integrity, leaveOpen: false);
    }

    /// <summary>Reads the next entry; the previous entry's <see cref="LayerTarEntry.DataStream"/> becomes unusable.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The entry, or <see langword="null"/> at the end of the archive.</returns>
    /// <exception cref="InvalidDataException">
    /// The archive or an entry is malformed: among others a header with a bad checksum, data after the end-of-archive
    /// block (a damaged header in the middle ends the archive early; nothing after it is dropped silently), an
    /// extended header over 1 MiB, or a name that is not UTF-8.
    /// </exception>
    public async ValueTask<LayerTarEntry?> GetNextEntryAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (_ended)
            {
                return null;
            }

            TarEntry? raw;
            try
            {
                raw = await _reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false);
                if (raw is null)
                {
                    await _integrity.VerifyEndAsync(cancellationToken).ConfigureAwait(false);
                    _ended = true;
                }
            }
            catch (NotSupportedException e)
            {
                throw new InvalidDataException($"Tar entry {_index + 1}: {e.Message} GNU sparse entries cannot be read; re-create the tar with --format=pax and without --sparse.", e);
            }
            catch (FormatException e)
            {
                throw new InvalidDataException($"Tar entry {_index + 1} is malformed: {e.Message}", e);
            }
            catch (EndOfStreamException e)
            {
                throw new InvalidDataException($"Tar entry {_index + 1}: the archive is truncated.", e);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"Tar entry {_index + 1} is malformed: {e.Message}", e);
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"Tar entry {_index + 1} is malformed: {e.Message}", e);
            }

            if (raw is null)
            {
                return null;
            }

            _index++;
            if (raw.EntryType is TarEntryType.GlobalExtendedAttributes)
            {
                continue;
            }

            LayerTarEntry? entry = Decode(raw);
            if (entry is not null)
            {
                return entry;
            }
        }
    }

    /// <summary>Reads the next entry synchronously.</summary>
    /// <returns>The entry, or <see langword="null"/> at the end of the archive.</returns>
    /// <exception cref="InvalidDataException">The archive or an entry is malformed.</exception>
    public LayerTarEntry? GetNextEntry() => GetNextEntryAsync().AsTask().GetAwaiter().GetResult();

    /// <inheritdoc/>
    public void Dispose() => _reader.Dispose();

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _reader.DisposeAsync();

    private LayerTarEntry? Decode(TarEntry raw)
    {
        IReadOnlyDictionary<string, string> pax = raw is PaxTarEntry p
            ? p.ExtendedAttributes
            : new Dictionary<string, string>();
        string rawName = raw.Name;
        Stream? sparseData = null;
        long sparseSize = 0;
        if (pax.Keys.Any(key => key.StartsWith(PaxKeys.GnuSparsePrefix, StringComparison.Ordinal)))
        {
            (rawName, sparseSize, sparseData) = OpenPaxSparse(raw, pax, rawName);
        }

        string name = TarPath.Clean(rawName, "tar entry");
        if (name.Length == 0)
        {
            // The archive root ("." or "./") of tars made with `tar -C dir .`: nothing to import.
            _streamOwner = null;
            return null;
        }

        TarEntryType type = raw.EntryType;
        if (type is TarEntryType.V7RegularFile && rawName.EndsWith('/'))
        {
            type = TarEntryType.Directory;
        }

        string baseName = TarPath.Base(name);
        LayerTarEntry entry;
        if (baseName.StartsWith(OciLayer.WhiteoutPrefix, StringComparison.Ordinal))
        {
            string deleted = baseName[OciLayer.WhiteoutPrefix.Length..];
            if (deleted.Length == 0 || deleted == "." || deleted == "..")
            {
                throw new InvalidDataException($"Tar entry '{name}': a whiteout must name the file or directory it deletes.");
            }

            entry = new LayerTarEntry(name, LayerTarEntryType.Whiteout, pax)
            {
                WhiteoutTarget = TarPath.Join(TarPath.Dir(name), deleted),
                FileInfo = default,
            };
            _streamOwner = null;
            return entry;
        }

        bool isRegular = type is TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile;
        if (isRegular && _streamOwner is not null && name.StartsWith(_streamOwner + ":", StringComparison.Ordinal))
        {
            entry = new LayerTarEntry(name, LayerTarEntryType.AlternateDataStream, pax)
            {
                StreamOwner = _streamOwner,
                StreamName = name[(_streamOwner.Length + 1)..],
                Size = raw.Length,
                DataStream = raw.DataStream,
                FileInfo = ReadFileInfo(raw, pax, name, type),
            };
            return entry;
        }

        if (baseName.Contains(':', StringComparison.Ordinal))
        {
            throw new InvalidDataException($"Tar entry '{name}': ':' in a name is only valid for an alternate data stream entry that follows its file.");
        }

        LayerTarEntryType kind = type switch
        {
            TarEntryType.Directory => LayerTarEntryType.Directory,
            TarEntryType.HardLink => LayerTarEntryType.HardLink,
            TarEntryType.SymbolicLink => pax.ContainsKey(PaxKeys.MountPoint) ? LayerTarEntryType.Junction : LayerTarEntryType.SymbolicLink,
            TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile
                or TarEntryType.CharacterDevice or TarEntryType.BlockDevice or TarEntryType.Fifo => LayerTarEntryType.File,
            _ => throw new InvalidDataException($"Tar entry '{name}': entry type {type} ('{(char)GetTypeFlag(type)}') cannot be part of a Windows layer."),
        };

        entry = new LayerTarEntry(name, kind, pax)
        {
            Size = sparseData is not null ? sparseSize : isRegular ? raw.Length : 0,
            HasDataStream = isRegular,
            DataStream = sparseData ?? (isRegular ? raw.DataStream : null),
            FileInfo = ReadFileInfo(raw, pax, name, type),
        };

        if (kind == LayerTarEntryType.HardLink)
        {
            string target = TarPath.Clean(raw.LinkName, $"hard link '{name}' target");
            if (target.Length == 0)
            {
                throw new InvalidDataException($"Tar entry '{name}': the hard link has no target.");
            }

            entry.LinkTarget = target;
            _streamOwner = null;
            return entry;
        }

        if (kind is LayerTarEntryType.SymbolicLink or LayerTarEntryType.Junction)
        {
            entry.LinkTarget = raw.LinkName;
        }

        entry.SecurityDescriptor = ReadSecurityDescriptor(pax, name);
        entry.ExtendedAttributes = ReadExtendedAttributes(pax, name);
        _streamOwner = name;
        return entry;
    }

    /// <summary>GNU PAX sparse 1.0 (the format of <c>tar --sparse --format=posix</c>): the real name and size, and the dense data.</summary>
    private static (string Name, long Size, Stream Data) OpenPaxSparse(TarEntry raw, IReadOnlyDictionary<string, string> pax, string rawName)
    {
        if (!(pax.TryGetValue(PaxKeys.GnuSparseMajor, out string? major) && major == "1"
            && pax.TryGetValue(PaxKeys.GnuSparseMinor, out string? minor) && minor == "0"
            && pax.TryGetValue(PaxKeys.GnuSparseName, out string? name)
            && pax.TryGetValue(PaxKeys.GnuSparseRealSize, out string? realSize)
            && long.TryParse(realSize, NumberStyles.None, CultureInfo.InvariantCulture, out long size)))
        {
            throw new InvalidDataException($"Tar entry '{rawName}': only GNU sparse format 1.0 is supported in PAX tars (tar --sparse --format=posix); re-create the tar without --sparse.");
        }

        return (name, size, new PaxSparseStream(raw.DataStream ?? Stream.Null, size, name));
    }

    private static FileBasicInfo ReadFileInfo(TarEntry raw, IReadOnlyDictionary<string, string> pax, string name, TarEntryType type)
    {
        long lastWrite = ReadTime(pax, PaxKeys.ModificationTime, name) ?? FileTime.FromDateTimeOffset(Max1601(raw.ModificationTime));
        long lastAccess = ReadTime(pax, PaxKeys.AccessTime, name)
            ?? (raw is GnuTarEntry gnu && gnu.AccessTime != default && gnu.AccessTime != DateTimeOffset.UnixEpoch ? FileTime.FromDateTimeOffset(Max1601(gnu.AccessTime)) : 0);
        long change = ReadTime(pax, PaxKeys.ChangeTime, name)
            ?? (raw is GnuTarEntry gnu2 && gnu2.ChangeTime != default && gnu2.ChangeTime != DateTimeOffset.UnixEpoch ? FileTime.FromDateTimeOffset(Max1601(gnu2.ChangeTime)) : 0);
        long creation = ReadTime(pax, PaxKeys.CreationTime, name) ?? lastWrite;

        FileAttributes attributes;
        if (pax.TryGetValue(PaxKeys.FileAttributes, out string? text))
        {
            if (!uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out uint value))
            {
                throw new InvalidDataException($"Tar entry '{name}': {PaxKeys.FileAttributes} '{text}' is not a decimal 32-bit number.");
            }

            attributes = (FileAttributes)value;
        }
        else
        {
            attributes = type == TarEntryType.Directory ? FileAttributes.Directory : 0;
            if (type == TarEntryType.SymbolicLink
                && pax.TryGetValue(PaxKeys.LibarchiveSymlinkType, out string? linkType)
                && linkType == "dir")
            {
                attributes |= FileAttributes.Directory;
            }

            if (pax.TryGetValue(PaxKeys.SchilyFileFlags, out string? flags))
            {
                attributes |= ParseFileFlags(flags);
            }
        }

        // Only symbolic links and junctions carry reparse data in a tar; a stray reparse attribute would make
        // Windows expect data that is not there (hcsshim's CIM importer clears it the same way).
        if (type != TarEntryType.SymbolicLink)
        {
            attributes &= ~FileAttributes.ReparsePoint;
        }

        return new FileBasicInfo(creation, lastAccess, lastWrite, change, attributes);
    }

    private static DateTimeOffset Max1601(DateTimeOffset t) =>
        t.UtcTicks < 504_911_232_000_000_000 ? new DateTimeOffset(504_911_232_000_000_000, TimeSpan.Zero) : t;

    private static long? ReadTime(IReadOnlyDictionary<string, string> pax, string key, string name)
    {
        if (!pax.TryGetValue(key, out string? text))
        {
            return null;
        }

        if (!PaxTime.TryParseFileTime(text, out long fileTime))
        {
            throw new InvalidDataException($"Tar entry '{name}': the PAX time {key}='{text}' is invalid.");
        }

        return fileTime;
    }

    private static FileAttributes ParseFileFlags(string flags)
    {
        FileAttributes attributes = 0;
        foreach (string flag in flags.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            switch (flag)
            {
                case "rdonly" or "readonly":
                    attributes |= FileAttributes.ReadOnly;
                    break;
                case "hidden":
                    attributes |= FileAttributes.Hidden;
                    break;
                case "system":
                    attributes |= FileAttributes.System;
                    break;
                case "arch" or "archived":
                    attributes |= FileAttributes.Archive;
                    break;
            }
        }

        return attributes;
    }

    private byte[]? ReadSecurityDescriptor(IReadOnlyDictionary<string, string> pax, string name)
    {
        if (pax.TryGetValue(PaxKeys.RawSecurityDescriptor, out string? raw))
        {
            if (_lastSecurityDescriptor is not null && string.Equals(raw, _lastRawSecurityDescriptor, StringComparison.Ordinal))
            {
                // A copy: the entry's array is the caller's to change.
                return (byte[])_lastSecurityDescriptor.Clone();
            }

            byte[] bytes;
            try
            {
                bytes = Convert.FromBase64String(raw);
            }
            catch (FormatException e)
            {
                throw new InvalidDataException($"Tar entry '{name}': {PaxKeys.RawSecurityDescriptor} is not valid base64.", e);
            }

            if (bytes.Length > 0)
            {
                // Windows' BackupWrite refuses a descriptor it cannot parse; refusing it here names the entry instead.
                try
                {
                    _ = Win32.SecurityDescriptor.Parse(bytes);
                }
                catch (InvalidDataException e)
                {
                    throw new InvalidDataException($"Tar entry '{name}': {PaxKeys.RawSecurityDescriptor} is not a valid self-relative security descriptor: {e.Message}", e);
                }
            }

            _lastRawSecurityDescriptor = raw;
            _lastSecurityDescriptor = (byte[])bytes.Clone();
            return bytes;
        }

        if (pax.TryGetValue(PaxKeys.SecurityDescriptorSddl, out string? sddl))
        {
            try
            {
                return Win32.SecurityDescriptor.ParseSddl(sddl).ToBinary();
            }
            catch (FormatException e)
            {
                throw new InvalidDataException($"Tar entry '{name}': convert {sddl}: {e.Message}", e);
            }
        }

        return null;
    }

    private static ExtendedAttribute[] ReadExtendedAttributes(IReadOnlyDictionary<string, string> pax, string name)
    {
        List<ExtendedAttribute>? list = null;
        foreach ((string key, string value) in pax)
        {
            if (!key.StartsWith(PaxKeys.ExtendedAttributePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            string eaName = key[PaxKeys.ExtendedAttributePrefix.Length..];
            if (eaName.Length == 0)
            {
                throw new InvalidDataException($"Tar entry '{name}': the PAX record {key} names an extended attribute with an empty name, which Windows cannot hold.");
            }

            byte[] bytes;
            try
            {
                bytes = Convert.FromBase64String(value);
            }
            catch (FormatException e)
            {
                throw new InvalidDataException($"Tar entry '{name}': {key} is not valid base64.", e);
            }

            (list ??= []).Add(new ExtendedAttribute(eaName, bytes));
        }

        if (list is null)
        {
            return [];
        }

        // go-winio writes them in Go map order (random); sorting makes the backup stream deterministic (B7).
        list.Sort((a, b) => Utf8OrdinalComparer.Instance.Compare(a.Name, b.Name));
        return [.. list];
    }

    private static byte GetTypeFlag(TarEntryType type) => (byte)type;
}
