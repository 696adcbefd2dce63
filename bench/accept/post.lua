-- wrk script: POST one acceptance per request, authenticated by HOSO_TOKEN.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("HOSO_TOKEN")
wrk.body = [[{"procedure_code":"2.000488","service":"both","applicant":{"kind":"person","name":"Nguyễn Văn Anh","phone":"0905123456","id_number":"064090001234","address":"12 Trần Hưng Đạo, Pleiku"},"documents":[{"name":"Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp (Mẫu số 03/2024/LLTP hoặc Mẫu số 04/2024/LLTP)","form":"original"},{"name":"Bản chụp Thẻ căn cước, Căn cước công dân hoặc Hộ chiếu của người được cấp Phiếu","form":"copy"}],"postage_vnd":28000,"fee_vnd":200000}]]
