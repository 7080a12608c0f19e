namespace WcLayer.Win32;

/// <summary>Encodes and decodes <c>FILE_FULL_EA_INFORMATION</c> lists, byte for byte as go-winio's <c>ea.go</c>.</summary>
public static class ExtendedAttributeList
{
    /// <summary>Encodes a list; every entry is padded to 4 bytes, the last one included. An empty list is empty bytes.</summary>
    /// <param name="attributes">The attributes, in the order to write them.</param>
    /// <returns>The encoded buffer.</returns>
    /// <exception cref="ArgumentException">A name is over 255 bytes or a value over 65535 bytes.</exception>
    public static byte[] Encode(IEnumerable<ExtendedAttribute> attributes) => throw new NotImplementedException();

    /// <summary>Decodes a list. Final padding is optional; an empty buffer is an empty list.</summary>
    /// <param name="buffer">The encoded buffer.</param>
    /// <returns>The attributes in buffer order.</returns>
    /// <exception cref="InvalidDataException">The buffer is truncated or an offset points outside it (the message names the offset).</exception>
    public static IReadOnlyList<ExtendedAttribute> Decode(ReadOnlySpan<byte> buffer) => throw new NotImplementedException();
}
