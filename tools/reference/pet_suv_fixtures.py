#!/usr/bin/env python3
"""Writes two small synthetic PET DICOM files (project-made, explicit and implicit VR little
endian) to Tests/RadImagingTests/Fixtures/pet/ with pydicom 3.0.2, and pet_suv.json with their
body-weight SUV computed here by the standard definition (PS3.3 C.8.9.1, QIBA FDG-PET profile):

  activity (Bq/ml) = stored * RescaleSlope + RescaleIntercept          (Units BQML)
  dose at scan     = RadionuclideTotalDose * 2 ** (-(SeriesTime - RadiopharmaceuticalStartTime)
                                                    / RadionuclideHalfLife)   (DecayCorrection START)
                   = RadionuclideTotalDose                                    (DecayCorrection ADMIN)
  SUVbw (g/ml)     = activity * PatientWeight (kg) * 1000 / dose at scan

Run: /work/venv-ref/py/bin/python tools/reference/pet_suv_fixtures.py
"""
import datetime
import json
from pathlib import Path

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian, generate_uid

assert pydicom.__version__ == "3.0.2", pydicom.__version__
FIXTURES = Path(__file__).resolve().parent.parent.parent / "Tests" / "RadImagingTests" / "Fixtures"


def seconds(hhmmss):
    t = datetime.datetime.strptime(hhmmss.split(".")[0], "%H%M%S")
    frac = float("0." + hhmmss.split(".")[1]) if "." in hhmmss else 0.0
    return t.hour * 3600 + t.minute * 60 + t.second + frac


def make(syntax, correction, seed):
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 30000, (4, 5), dtype=np.uint16)
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.128"
    meta.MediaStorageSOPInstanceUID = generate_uid(entropy_srcs=[str(seed)])
    meta.TransferSyntaxUID = syntax
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.Modality = "PT"
    ds.Units = "BQML"
    ds.DecayCorrection = correction
    ds.SeriesDate = "20240102"
    ds.SeriesTime = "101530.25"
    ds.AcquisitionTime = "102000"
    ds.PatientWeight = "72.5"
    item = Dataset()
    item.RadiopharmaceuticalStartTime = "091000"
    item.RadionuclideTotalDose = "370000000"
    item.RadionuclideHalfLife = "6586.2"
    ds.RadiopharmaceuticalInformationSequence = Sequence([item])
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows, ds.Columns = pixels.shape
    ds.BitsAllocated = 16
    ds.BitsStored = 16
    ds.HighBit = 15
    ds.PixelRepresentation = 0
    ds.RescaleSlope = "0.731"
    ds.RescaleIntercept = "0"
    ds.PixelData = pixels.tobytes()
    activity = pixels.astype(np.float64) * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
    dose = float(item.RadionuclideTotalDose)
    if correction == "START":
        elapsed = seconds(ds.SeriesTime) - seconds(item.RadiopharmaceuticalStartTime)
        dose *= 2 ** (-elapsed / float(item.RadionuclideHalfLife))
    suv = activity * float(ds.PatientWeight) * 1000 / dose
    return ds, suv


def main():
    out = FIXTURES / "pet"
    out.mkdir(parents=True, exist_ok=True)
    cases = []
    for name, syntax, correction, seed in [
        ("pet_explicit_start.dcm", ExplicitVRLittleEndian, "START", 1),
        ("pet_implicit_admin.dcm", ImplicitVRLittleEndian, "ADMIN", 2),
    ]:
        ds, suv = make(syntax, correction, seed)
        ds.save_as(out / name, enforce_file_format=True, implicit_vr=syntax == ImplicitVRLittleEndian,
                   little_endian=True)
        back = pydicom.dcmread(out / name)
        assert back.RadiopharmaceuticalInformationSequence[0].RadionuclideHalfLife == 6586.2
        cases.append({"file": name, "suv": suv.reshape(-1).tolist()})
    (FIXTURES / "pet_suv.json").write_text(json.dumps({"pydicom": pydicom.__version__, "cases": cases}) + "\n")
    print(f"wrote {len(cases)} PET files")


if __name__ == "__main__":
    main()
