namespace WcLayer.Win32;

/// <summary>One NTFS extended attribute (an entry of a <c>FILE_FULL_EA_INFORMATION</c> list).</summary>
public sealed class ExtendedAttribute : IEquatable<ExtendedAttribute>
{
    /// <summary>Creates an extended attribute.</summary>
    /// <param name="name">The name (at most 255 bytes in UTF-8).</param>
    /// <param name="value">The value (at most 65535 bytes).</param>
    /// <param name="flags">The flags byte (e.g. 0x80, <c>FILE_NEED_EA</c>).</param>
    public ExtendedAttribute(string name, ReadOnlyMemory<byte> value, byte flags = 0)
    {
        ArgumentNullException.ThrowIfNull(name);
        Name = name;
        Value = value;
        Flags = flags;
    }

    /// <summary>The name.</summary>
    public string Name { get; }

    /// <summary>The value bytes.</summary>
    public ReadOnlyMemory<byte> Value { get; }

    /// <summary>The flags byte.</summary>
    public byte Flags { get; }

    /// <inheritdoc/>
    public bool Equals(ExtendedAttribute? other) =>
        other is not null && Name == other.Name && Flags == other.Flags && Value.Span.SequenceEqual(other.Value.Span);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ExtendedAttribute);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Name, Flags, Value.Length);

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({Value.Length} bytes, flags 0x{Flags:x2})";
}
