using System.Runtime.InteropServices;

namespace WcLayer;

/// <summary>
/// vmcompute's <c>WC_LAYER_DESCRIPTOR</c>: one parent layer as HCS receives it. Blittable with natural alignment:
/// 32 bytes on x64 (GUID 16, flags 4, padding 4, path pointer 8), 24 on x86.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct WcLayerDescriptor : IEquatable<WcLayerDescriptor>
{
    private const uint DirtyFlag = 0x8000_0000;

    /// <summary>The layer id: <c>NameToGuid</c> of the layer folder's base name.</summary>
    public Guid LayerId;

    /// <summary>The flags union; hcsshim always passes 0. Bit 31 is <see cref="Dirty"/>.</summary>
    public uint Flags;

    /// <summary>A NUL-terminated UTF-16 layer folder path, owned by whoever built the descriptor.</summary>
    public nint Path;

    /// <summary>Bit 31 of <see cref="Flags"/>: the layer was created from a sandbox by a snapshot.</summary>
    public bool Dirty
    {
        readonly get => (Flags & DirtyFlag) != 0;
        set => Flags = value ? Flags | DirtyFlag : Flags & ~DirtyFlag;
    }

    /// <summary>Compares two descriptors field by field (the path by pointer).</summary>
    /// <param name="left">The first descriptor.</param>
    /// <param name="right">The second descriptor.</param>
    /// <returns>Whether they are equal.</returns>
    public static bool operator ==(WcLayerDescriptor left, WcLayerDescriptor right) => left.Equals(right);

    /// <summary>Compares two descriptors field by field (the path by pointer).</summary>
    /// <param name="left">The first descriptor.</param>
    /// <param name="right">The second descriptor.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(WcLayerDescriptor left, WcLayerDescriptor right) => !left.Equals(right);

    /// <inheritdoc/>
    public readonly bool Equals(WcLayerDescriptor other) => LayerId == other.LayerId && Flags == other.Flags && Path == other.Path;

    /// <inheritdoc/>
    public override readonly bool Equals(object? obj) => obj is WcLayerDescriptor other && Equals(other);

    /// <inheritdoc/>
    public override readonly int GetHashCode() => HashCode.Combine(LayerId, Flags, Path);
}
