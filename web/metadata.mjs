// The explainer's metadata_props (ModelProto field 14), read from the file's bytes: the model card
// (class names and ids) and the backward rule travel in the file, so the page needs nothing else.
// Only the top level of the protobuf is walked; the graph (field 7) is skipped by its length.

function varint(bytes, at) {
  let value = 0, scale = 1, b;
  do {
    if (at.i >= bytes.length) throw new Error('not an ONNX file (cut varint)');
    b = bytes[at.i++];
    value += (b & 0x7f) * scale; // arithmetic, not shifts: lengths may pass 2^31
    scale *= 128;
  } while (b & 0x80);
  return value;
}

function skip(bytes, at, wire) {
  if (wire === 0) varint(bytes, at);
  else if (wire === 1) at.i += 8;
  else if (wire === 2) { const length = varint(bytes, at); at.i += length; } // read first: `at.i +=` would read at.i before varint moves it
  else if (wire === 5) at.i += 4;
  else throw new Error(`not an ONNX file (wire type ${wire})`);
  if (at.i > bytes.length) throw new Error('not an ONNX file (a field runs past the end)');
}

/** One StringStringEntryProto: { key, value }. */
function entry(bytes) {
  const at = { i: 0 }, text = new TextDecoder(), result = { key: '', value: '' };
  while (at.i < bytes.length) {
    const tag = varint(bytes, at), field = Math.floor(tag / 8), wire = tag % 8;
    if ((field === 1 || field === 2) && wire === 2) {
      const length = varint(bytes, at);
      result[field === 1 ? 'key' : 'value'] = text.decode(bytes.subarray(at.i, at.i + length));
      at.i += length;
    } else skip(bytes, at, wire);
  }
  return result;
}

/** metadata_props of an ONNX model as a Map from key to value. */
export function readMetadata(buffer) {
  const bytes = new Uint8Array(buffer), at = { i: 0 }, props = new Map();
  while (at.i < bytes.length) {
    const tag = varint(bytes, at), field = Math.floor(tag / 8), wire = tag % 8;
    if (field === 14 && wire === 2) {
      const length = varint(bytes, at);
      if (at.i + length > bytes.length) throw new Error('not an ONNX file (a field runs past the end)');
      const { key, value } = entry(bytes.subarray(at.i, at.i + length));
      props.set(key, value);
      at.i += length;
    } else skip(bytes, at, wire);
  }
  return props;
}
