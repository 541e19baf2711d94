import Foundation

/// Body-weight standardized uptake values for PET (PS3.3 C.8.9.1; QIBA FDG-PET profile): the
/// activity concentration in Bq/ml (Units BQML, after the rescale) times the patient's weight
/// in grams over the injected dose, decayed from the radiopharmaceutical start time to the
/// series time when the image is decay corrected to START (not when it is corrected to ADMIN).
public enum PETStandardizedUptake {
  /// The factor that turns Bq/ml into SUVbw (g/ml) for this data set.
  public static func bodyWeightFactor(_ dataSet: DicomDataSet) throws -> Double {
    let file = dataSet.file
    guard dataSet.string(.modality) == "PT" else {
      throw ImageError.unsupported(
        file: file, reason: "SUV needs a PET image (Modality PT), not \(dataSet.string(.modality) ?? "none")")
    }
    let units = dataSet.string(.units) ?? ""
    guard units == "BQML" else {
      throw ImageError.unsupported(file: file, reason: "SUV needs Units (0054,1001) BQML, not '\(units)'")
    }
    guard let weight = try dataSet.number(.patientWeight), weight > 0 else {
      throw ImageError.malformed(file: file, reason: "SUV needs a positive Patient's Weight (0010,1030)")
    }
    guard let item = dataSet.sequence(.radiopharmaceuticalInformationSequence).first,
      let dose = try item.number(.radionuclideTotalDose), dose > 0
    else {
      throw ImageError.malformed(
        file: file,
        reason: "SUV needs Radionuclide Total Dose (0018,1074) in the Radiopharmaceutical Information Sequence")
    }
    var doseAtScan = dose
    let correction = dataSet.string(.decayCorrection) ?? "NONE"
    if correction != "ADMIN" {
      guard let halfLife = try item.number(.radionuclideHalfLife), halfLife > 0 else {
        throw ImageError.malformed(file: file, reason: "SUV needs Radionuclide Half Life (0018,1075)")
      }
      // START: the image is decay corrected to the series start; NONE: to the acquisition.
      let scanTag: DicomTag = correction == "START" ? .seriesTime : .acquisitionTime
      guard let scan = try time(dataSet, scanTag) ?? time(dataSet, .seriesTime) else {
        throw ImageError.malformed(file: file, reason: "SUV needs Series Time (0008,0031)")
      }
      let start: Double
      if let dateTime = item.string(.radiopharmaceuticalStartDateTime), dateTime.count >= 14 {
        start = try seconds(String(dateTime.dropFirst(8)), file: file)
      } else if let injection = try time(item, .radiopharmaceuticalStartTime) {
        start = injection
      } else {
        throw ImageError.malformed(file: file, reason: "SUV needs Radiopharmaceutical Start Time (0018,1072)")
      }
      var elapsed = scan - start
      if elapsed < 0 { elapsed += 86_400 }  // injected before midnight
      doseAtScan = dose * pow(2, -elapsed / halfLife)
    }
    return weight * 1000 / doseAtScan
  }

  /// SUVbw of every pixel of a PET file.
  public static func bodyWeight(_ file: DicomFile) throws -> DicomPixels {
    var pixels = try file.modalityPixels()
    let factor = try bodyWeightFactor(file.dataSet)
    pixels.values = pixels.values.map { $0 * factor }
    pixels.isInteger = false
    return pixels
  }

  static func time(_ dataSet: DicomDataSet, _ tag: DicomTag) throws -> Double? {
    guard let text = dataSet.string(tag) else { return nil }
    return try seconds(text, file: dataSet.file)
  }

  /// Seconds since midnight of a DICOM TM value (`HHMMSS.FFFFFF`, or the old `HH:MM:SS`).
  static func seconds(_ text: String, file: String) throws -> Double {
    let clean = text.replacingOccurrences(of: ":", with: "")
    let parts = clean.split(separator: ".", maxSplits: 1)
    let whole = String(parts.first ?? "")
    let digits = whole.map { Int(String($0)) }
    guard whole.count >= 2, whole.count <= 6, whole.count % 2 == 0, !digits.contains(nil) else {
      throw ImageError.malformed(file: file, reason: "time '\(text)' is not a DICOM TM value")
    }
    func field(_ i: Int) -> Double { whole.count > 2 * i ? Double(Int(whole.dropFirst(2 * i).prefix(2)) ?? 0) : 0 }
    let fraction = parts.count == 2 ? Double("0." + parts[1]) ?? 0 : 0
    return field(0) * 3600 + field(1) * 60 + field(2) + fraction
  }
}
